"""Per-task training settings: where a task's training departs from the defaults
(`classifier.services.training.TrainParams`), and why.

`task_training_settings` gives the fields to override; the training service uses
them whenever it is not handed explicit parameters (`manage.py train`, the monthly
retraining, the quality benchmark).

movie-genres, measured inside the benchmark's 80 % training part (three quarters
trained, the last quarter measured; the 20 % held out chose nothing):

- `min_positives` 5: News (6 training films) trains too, so every column of the
  reference submission is a model rather than a constant 0;
- `scalings` adds `blend`, the plain and the NB-scaled fits averaged into one
  linear classifier (`classifier.engine.blending`), which the search keeps where
  it ranks better (with the films' context, at C 1: plain 0.900, NB 0.903,
  blend 0.907 macro ROC AUC);
- no resampling of the positives: for ranking it does what class weights do, at
  the cost of larger fits, and the blend doubles each fit's cost already.

toxicity (the Perspective attributes, `classifier.toxicity`):

- `holdout_per_source`: DETOXIS and EXIST have no dev split and OffendES's has
  100 comments (4 offensive to a group), so each of them holds out a fifth of
  its rows, and every corpus that informs an attribute is measured on rows it
  did not train on;
- one C and no resampling: the attributes learnt from several corpora are
  chosen leave-one-corpus-out (plain or NB-scaled features), which costs a fit
  per corpus per candidate; the others compare plain and NB-scaled features only;
- after the leave-one-corpus-out choice, the probabilities are calibrated on
  every corpus scored by a fit that never saw it, including those of one class
  only (`SearchParams.calibration`). Calibrated on the left-out corpora alone,
  INSULT's held-out expected calibration error was 0.114 (MEX-A3T's calm tweets,
  never left out as they hold no insult, got 0.14 where 0.02 were insults).
  Calibrated on stratified folds over every row instead, INSULT's fell to 0.069
  but TOXICITY's rose from 0.033 to 0.077 (over-confident: 0.93 where 0.72).
"""
from __future__ import annotations

from typing import Any

from classifier.engine.fitting import SearchParams
from classifier.label_sets import MOVIE_GENRES, TOXICITY

# The search of an attribute learnt from several corpora (`classifier.services.training.CROSS_CORPUS_PARAMS`
# without the hostility mixes, which only `discriminatory` has), calibrated on every corpus.
TOXICITY_CROSS_CORPUS = SearchParams(
    c_grid=(1.0,), scalings=("plain", "nb"), balancings=("class_weight",), finalists=2, calibration="every_corpus",
)

_SETTINGS: dict[str, dict[str, Any]] = {
    MOVIE_GENRES: {
        "min_positives": 5,
        "scalings": ("plain", "nb", "blend"),
        "balancings": ("class_weight", "none"),
    },
    TOXICITY: {
        "holdout_per_source": True,
        "c_grid": (1.0,),
        "scalings": ("plain", "nb"),
        "balancings": ("class_weight",),
        "cross_corpus": TOXICITY_CROSS_CORPUS,
    },
}


def task_training_settings(*, task: str) -> dict[str, Any]:
    """The `TrainParams` fields a task sets otherwise than the defaults (none for most tasks)."""
    return dict(_SETTINGS.get(task, {}))
