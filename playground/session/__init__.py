"""The Qt-free session model: tensors, pipeline and timeline, with undo, save/load and export."""

from .commands import (
    AddAction,
    AddLeaf,
    AddStep,
    Command,
    EditStep,
    MoveStep,
    RemoveAction,
    RemoveLeaf,
    RemoveStep,
    Rename,
    ReplaceLeaf,
    UndoStack,
    action_label,
    edit_cell,
    set_requires_grad,
)
from .document import Action, Document, Leaf, PrintItem, Seed, Step, TensorData
from .document_edits import SessionError
from .model import Session
from .outcome import Outcome, TensorState
