"""Routes of the alerts app: the subscriptions page of a signed-in user and the public bulletins."""
from alerts.views import bulletins, subscriptions

app_name = "alerts"
urlpatterns = [*subscriptions.urlpatterns, *bulletins.urlpatterns]
