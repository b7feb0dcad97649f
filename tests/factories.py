"""factory_boy factories, one for every model the apps define: tests build their rows with these instead of
`objects.create(...)`, naming only the fields the test is about."""
from __future__ import annotations

from datetime import UTC, datetime

import factory
from django.contrib.auth.models import User

from api.models import ApiKey
from classifier.models import EmbeddingVersion, LabeledText, ModelVersion, Prediction
from dashboard.models import HourlyCount, RollupHistory, SemaforoSettings, TermHourly
from ingestion.models import (
    Category,
    IngestionRun,
    RawBatch,
    Source,
    SourceCursor,
    Term,
    TermCategory,
    Tweet,
    TweetCategory,
)
from labeling.models import Annotation, Assignment, Campaign, CampaignItem, QueuedText

# --- accounts --------------------------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A person who can sign in (password "secreto")."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"persona{n}")
    password = factory.django.Password("secreto")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*extracted)


# --- ingestion -------------------------------------------------------------------------------------------------


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"categoria-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class TermFactory(factory.django.DjangoModelFactory[Term]):
    class Meta:
        model = Term
        django_get_or_create = ("text",)
        skip_postgeneration_save = True

    text = factory.Sequence(lambda n: f"termino{n}")

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.add(*extracted)


class TermCategoryFactory(factory.django.DjangoModelFactory[TermCategory]):
    class Meta:
        model = TermCategory

    term = factory.SubFactory(TermFactory)
    category = factory.SubFactory(CategoryFactory)


class SourceFactory(factory.django.DjangoModelFactory[Source]):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"fuente-{n}")
    name = factory.LazyAttribute(lambda o: o.slug)
    kind = Source.Kind.X_API
    config = factory.LazyFunction(dict)


class SourceCursorFactory(factory.django.DjangoModelFactory[SourceCursor]):
    class Meta:
        model = SourceCursor

    source = factory.SubFactory(SourceFactory)
    key = factory.Sequence(lambda n: f"consulta-{n}")


class IngestionRunFactory(factory.django.DjangoModelFactory[IngestionRun]):
    """A run of a source; running unless a status is given (at most one running run per source)."""

    class Meta:
        model = IngestionRun

    source = factory.SubFactory(SourceFactory)


class RawBatchFactory(factory.django.DjangoModelFactory[RawBatch]):
    class Meta:
        model = RawBatch

    source = factory.SubFactory(SourceFactory)
    run = factory.SubFactory(IngestionRunFactory, source=factory.SelfAttribute("..source"))
    path = factory.Sequence(lambda n: f"raw/prueba/{n:06d}.jsonl.gz")


class TweetFactory(factory.django.DjangoModelFactory[Tweet]):
    class Meta:
        model = Tweet

    platform_id = factory.Sequence(lambda n: str(1_800_000_000_000_000_000 + n))
    text = "Hoy hace un calor terrible en la ciudad"
    created_at = factory.LazyFunction(lambda: datetime.now(UTC))


class TweetCategoryFactory(factory.django.DjangoModelFactory[TweetCategory]):
    """A post's category, with the post's time and state copied as the ingestion does."""

    class Meta:
        model = TweetCategory

    tweet = factory.SubFactory(TweetFactory)
    category = factory.SubFactory(CategoryFactory)
    created_at = factory.SelfAttribute("tweet.created_at")
    state = factory.SelfAttribute("tweet.state")


# --- classifier ------------------------------------------------------------------------------------------------


class LabeledTextFactory(factory.django.DjangoModelFactory[LabeledText]):
    class Meta:
        model = LabeledText

    task = "discrimination"
    text = factory.Sequence(lambda n: f"texto etiquetado {n}")
    labels = factory.LazyFunction(list)
    source = "test"
    external_id = factory.Sequence(str)


class ModelVersionFactory(factory.django.DjangoModelFactory[ModelVersion]):
    """A model version without an artifact (a candidate unless a status is given)."""

    class Meta:
        model = ModelVersion

    task = "discrimination"
    version = factory.Sequence(lambda n: n + 1)


class PredictionFactory(factory.django.DjangoModelFactory[Prediction]):
    class Meta:
        model = Prediction

    tweet = factory.SubFactory(TweetFactory)
    model_version = factory.SubFactory(ModelVersionFactory)
    scores = factory.LazyFunction(dict)


class EmbeddingVersionFactory(factory.django.DjangoModelFactory[EmbeddingVersion]):
    class Meta:
        model = EmbeddingVersion

    language = "es"
    version = factory.Sequence(lambda n: n + 1)


# --- labeling --------------------------------------------------------------------------------------------------


class CampaignFactory(factory.django.DjangoModelFactory[Campaign]):
    """A labeling campaign (a draft, as a new one is, unless a status is given)."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Campaña {n}")

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.add(*extracted)


class CampaignItemFactory(factory.django.DjangoModelFactory[CampaignItem]):
    class Meta:
        model = CampaignItem

    campaign = factory.SubFactory(CampaignFactory)
    tweet = factory.SubFactory(TweetFactory)


class AssignmentFactory(factory.django.DjangoModelFactory[Assignment]):
    class Meta:
        model = Assignment

    item = factory.SubFactory(CampaignItemFactory)
    annotator = factory.SubFactory(UserFactory)


class AnnotationFactory(factory.django.DjangoModelFactory[Annotation]):
    """An answer, with its assignment marked done."""

    class Meta:
        model = Annotation

    assignment = factory.SubFactory(AssignmentFactory, status=Assignment.Status.DONE)
    answer = Annotation.Answer.NO


class QueuedTextFactory(factory.django.DjangoModelFactory[QueuedText]):
    class Meta:
        model = QueuedText

    task = "discrimination"
    text = factory.Sequence(lambda n: f"texto enviado {n}")
    origin = QueuedText.Origin.CLASSIFY


# --- api -------------------------------------------------------------------------------------------------------


class ApiKeyFactory(factory.django.DjangoModelFactory[ApiKey]):
    """An API key; the plain key (shown once in real life) is on the built object as `.key`."""

    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"cliente-{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        api_key, key = model_class.objects.create_key(**kwargs)
        api_key.key = key
        return api_key


# --- dashboard -------------------------------------------------------------------------------------------------


class HourlyCountFactory(factory.django.DjangoModelFactory[HourlyCount]):
    class Meta:
        model = HourlyCount

    model_version = factory.SubFactory(ModelVersionFactory)
    hour = factory.LazyFunction(lambda: datetime.now(UTC).replace(minute=0, second=0, microsecond=0))


class TermHourlyFactory(factory.django.DjangoModelFactory[TermHourly]):
    class Meta:
        model = TermHourly

    model_version = factory.SubFactory(ModelVersionFactory)
    hour = factory.LazyFunction(lambda: datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    term = factory.Sequence(lambda n: f"termino{n}")


class RollupHistoryFactory(factory.django.DjangoModelFactory[RollupHistory]):
    class Meta:
        model = RollupHistory
        django_get_or_create = ("model_version",)

    model_version = factory.SubFactory(ModelVersionFactory)


class SemaforoSettingsFactory(factory.django.DjangoModelFactory[SemaforoSettings]):
    """The semáforo's one settings row (saved as pk 1 whatever is given)."""

    class Meta:
        model = SemaforoSettings
