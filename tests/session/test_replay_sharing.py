"""Timeline points share the arrays of tensors an action did not change (so long timelines stay
small and views can tell "unchanged" by identity), and never share one that did change, even
when the engine changed it in place."""

import numpy as np

from playground.session import Action, Document, Leaf, Seed, Session, Step, TensorData
from playground.session.outcome import same_array

X = Leaf(name="x", values=TensorData(shape=(2,), data=(1.0, 2.0)), requires_grad=True)


def test_untouched_values_are_shared_and_grads_recorded():
    steps = (Step(name="y", op="mul", operands=("x", 3)),
             Step(name="loss", op="sum", operands=("y",)))
    backward = Action(kind="backward", target="loss", seed=Seed(kind="implicit"),
                      retain_graph=True)
    session = Session(Document(leaves=(X,), steps=steps, actions=(backward, backward)))
    first, second = session.outcomes[1].states, session.outcomes[2].states
    assert all(first[n].value is second[n].value for n in ("x", "y", "loss"))
    assert first["x"].grad.tolist() == [3.0, 3.0] and second["x"].grad.tolist() == [6.0, 6.0]


def test_a_value_changed_in_place_is_recorded_anew():
    update = Step(name="x2", op="sub_", operands=("x", 0.5), no_grad=True)
    forward = Action(kind="forward")
    session = Session(Document(leaves=(X,), steps=(update,), actions=(forward, forward)))
    values = [outcome.states["x"].value for outcome in session.outcomes]
    assert [v.tolist() for v in values] == [[0.5, 1.5], [0.0, 1.0], [-0.5, 0.5]]
    assert values[0] is not values[1] and values[1] is not values[2]


def test_same_array_reads_every_element_when_the_sample_agrees():
    a = np.zeros((300, 300), dtype=np.float32)
    b = a.copy()
    b[7, 11] = 1.0  # not one of the sampled elements
    assert not same_array(a, b) and same_array(a, a.copy())
    a[0, 0] = b[0, 0] = np.nan
    assert same_array(a, a.copy()) and not same_array(a, a.astype(np.float64))
    assert same_array(None, None) and not same_array(a, None)
