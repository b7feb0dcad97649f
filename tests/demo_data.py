"""The demo corpus's own judgements as training labels, and the small training parameters the tests use."""
from __future__ import annotations

from classifier.models import LabeledText
from classifier.services.training import TrainParams
from ingestion.sources.replay import demo_corpus

# One value of each choice: a model in seconds, good enough to tell a slur from a greeting.
SMALL = TrainParams(c_grid=(4.0,), scalings=("plain",), balancings=("class_weight",), cv_folds=3, min_positives=10)


def demo_labels_create(*, source: str) -> None:
    """The demo corpus's judgements (which posts discriminate, and against whom) as discrimination labels."""
    LabeledText.objects.bulk_create([
        LabeledText(
            task="discrimination", text=item["text"], source=source, external_id=item["id"],
            labels=(["discriminatory"] if item["discriminatory"] else []) + item["categories"],
        )
        for item in demo_corpus()
    ])
