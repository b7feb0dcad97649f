"""Number and date formats for the site's Spanish: Mexico's (Django's es_MX), with a decimal point.

The interface's texts come from the "es" catalogues; only the formats are Mexican, so
"0.4" and "26.9 %" read as they do in Mexico instead of "0,4".
"""
from django.conf.locale.es_MX.formats import *  # noqa: F403
