"""CSV import/export of the dictionary (django-import-export resources)."""
from import_export import fields, resources
from import_export.widgets import ManyToManyWidget

from .models import Category, Term


class CategoryResource(resources.ModelResource):
    class Meta:
        model = Category
        import_id_fields = ("slug",)
        fields = ("slug", "name", "description", "active")
        skip_unchanged = True


class TermResource(resources.ModelResource):
    categories = fields.Field(
        column_name="categories", attribute="categories",
        widget=ManyToManyWidget(Category, field="slug", separator="|"),
    )

    class Meta:
        model = Term
        import_id_fields = ("text",)
        fields = ("text", "categories", "active", "notes")
        skip_unchanged = True
