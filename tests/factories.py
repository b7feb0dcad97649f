"""factory_boy factories for the models tests build."""
from datetime import UTC, datetime

import factory

from ingestion.models import Category, Source, Term, Tweet


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"categoria-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("text",)
        skip_postgeneration_save = True

    text = factory.Sequence(lambda n: f"termino{n}")

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.add(*extracted)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"fuente-{n}")
    name = factory.LazyAttribute(lambda o: o.slug)
    kind = Source.Kind.X_API
    config = factory.LazyFunction(dict)


class TweetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tweet

    platform_id = factory.Sequence(lambda n: str(1_800_000_000_000_000_000 + n))
    text = "Hoy hace un calor terrible en la ciudad"
    created_at = factory.LazyFunction(lambda: datetime.now(UTC))
