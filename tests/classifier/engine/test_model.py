"""The engine's fast character n-gram path gives exactly scikit-learn's TF-IDF; a stored model is the trained one."""
from __future__ import annotations

import dataclasses

import numpy as np

from classifier.engine.features import features_build, features_transform, texts_normalize, tfidf_transform
from classifier.engine.fitting import SearchParams, label_search
from classifier.engine.model import MODEL_FORMAT, TaskModel, model_pack, model_unpack
from classifier.engine.scoring import label_probability, model_features, model_scores
from classifier.engine.text import TextConfig

CONFIG = TextConfig(language="es", remove_stopwords=False)
TRAIN = [
    "Las mujeres al volante son un peligro", "Que regresen a su país esos migrantes",
    "Qué bonito día en Guadalajara", "ese naco no sabe ni hablar jajaja", "#NoEsNormal que nos insulten",
    "La vieja loca del tercer piso otra vez", "Los chairos y los fifís se pelean por todo",
] * 3
UNSEEN = ["Un texto con palabras nuevas: otorrinolaringólogo", "", "   ", "mujeres mujeres mujeres", "🙄 naco"]


def test_fast_transform_equals_scikit_learn_on_seen_and_unseen_texts():
    texts = texts_normalize(TRAIN, config=CONFIG)
    union = features_build().fit(texts)
    for batch in (texts, texts_normalize(UNSEEN, config=CONFIG), texts_normalize(UNSEEN, config=CONFIG)):  # twice: cached words
        for name, vectorizer in union.transformer_list:
            fast, reference = tfidf_transform(vectorizer, batch), vectorizer.transform(batch)
            assert fast.shape == reference.shape, name
            np.testing.assert_allclose(fast.toarray(), reference.toarray(), atol=1e-12, err_msg=name)


def model_small() -> TaskModel:
    texts = texts_normalize(TRAIN, config=CONFIG)
    y = np.array([1, 1, 0, 1, 0, 1, 0] * 3)
    vectorizer = features_build().fit(texts)
    features = features_transform(texts, vectorizer=vectorizer, embedding=None)
    fit = label_search(features, y, np.ones(len(y)), SearchParams(c_grid=(1.0,), cv_folds=2, finalists=1))
    return TaskModel(
        task="t", labels=["x"], text=CONFIG, vectorizer=vectorizer, embedding=None, classifiers={"x": fit.classifier},
        scalings={"x": fit.scaling}, calibrators={"x": fit.calibrator}, thresholds={"x": fit.threshold},
    )


def test_a_saved_model_scores_exactly_as_the_trained_one_and_stays_compact():
    from classifier.artifacts import artifact_dumps, artifact_loads

    model = model_small()
    terms = sum(len(v.vocabulary_) for _, v in model.vectorizer.transformer_list)

    data = artifact_dumps(model)
    loaded = artifact_loads(data)

    np.testing.assert_array_equal(model_scores(loaded, TRAIN + UNSEEN)["x"], model_scores(model, TRAIN + UNSEEN)["x"])
    # All labels in one product, scaling folded into the weights: the same as scaling the features per label.
    one_by_one = label_probability(model, "x", model_features(model, texts_normalize(TRAIN + UNSEEN, config=CONFIG)))
    np.testing.assert_allclose(model_scores(model, TRAIN + UNSEEN)["x"], one_by_one, rtol=1e-10)
    assert len(data) < 100 * terms + 50_000  # vocabularies stored as text, not one skops node per term
    assert model.vectorizer.transformer_list[0][1].vocabulary_  # saving did not strip the trained model


def test_the_stored_form_is_the_format_2_dict_and_comes_back_as_the_same_model():
    model = model_small()
    packed = model_pack(model)
    assert set(packed) == {
        "format", "task", "labels", "text", "vectorizer", "embedding", "classifiers", "scalings", "calibrators",
        "thresholds", "gates", "vocabularies",
    }
    assert packed["format"] == MODEL_FORMAT == 2
    assert packed["text"] == {"language": "es", "remove_stopwords": False, "lemmatize": False, "fold_accents": True}
    again = model_unpack(packed)
    assert (again.task, again.labels, again.text, again.thresholds) == (model.task, model.labels, model.text, model.thresholds)
    np.testing.assert_array_equal(model_scores(again, TRAIN + UNSEEN)["x"], model_scores(model, TRAIN + UNSEEN)["x"])
    # Options training does not set are stored only when they differ from the default.
    kept = TextConfig(language="es", keep_words=frozenset({"contra", "por"}), keep_negations=False)
    assert model_unpack(model_pack(dataclasses.replace(model, text=kept))).text == kept
