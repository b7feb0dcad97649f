"""The engine's fast character n-gram path gives exactly scikit-learn's TF-IDF."""
from __future__ import annotations

import numpy as np

from classifier.engine import features_build, texts_normalize, tfidf_transform
from classifier.text import TextConfig

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
