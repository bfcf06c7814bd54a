"""Every error (and warning) a learner can meet, in plain words: what it means and what to do.

One entry per kind of message. ``pattern`` is searched in the message as PyTorch prints it
(``RuntimeError: ...``, ``torch.`` spelling), keyed on PyTorch's own wording so that the same
program run under real PyTorch gets the same help. Named groups of the pattern fill the ``{...}``
of the explanation and fix, so the help can say *which* sizes or dtypes disagree.

Order matters: the first entry that matches wins, so specific entries come before general ones.
"""

from __future__ import annotations

from typing import NamedTuple

_SIZE = r"(?:torch|engine)\.Size\((?P<{}>\[[^\]]*\])\)"


class Entry(NamedTuple):
    key: str
    pattern: str
    explanation: str
    fix: str


AUTOGRAD = [
    Entry("second-backward", r"backward through the graph a second time",
          "The first backward freed the intermediate values this graph saved, so there is "
          "nothing left to walk back through a second time.",
          "Tick retain_graph in Backward options for the earlier call (retain_graph=True in "
          "code), or run Forward to build a fresh graph."),
    Entry("implicit-grad", r"grad can be implicitly created only for scalar outputs",
          "backward() without a gradient only works from a single number: for a tensor of "
          "many elements PyTorch cannot guess the seed v of the product vᵀJ.",
          "Pick a seed in Backward options (ones_like sums every gradient; in code, "
          "out.backward(torch.ones_like(out))), or reduce the output first with .sum() or "
          ".mean()."),
    Entry("seed-shape",
          r"Mismatch in shape: grad_output\[\d+\] has a shape of " + _SIZE.format("seed")
          + r" and output\[\d+\] has a shape of " + _SIZE.format("out"),
          "The seed given to backward has shape {seed}, but the tensor backward starts from "
          "has shape {out}: they must be the same.",
          "Use ones_like or a random seed (they take the target's shape), or type a custom "
          "seed of shape {out}."),
    Entry("no-grad-fn", r"does not require grad and does not have a grad_fn",
          "Nothing this tensor was computed from requires grad, so autograd recorded no graph "
          "to walk back through.",
          "Set requires_grad=True on a leaf it is computed from, then run Forward again."),
    Entry("inplace-saved", r"modified by an inplace operation.*is at version (?P<now>\d+); "
          r"expected version (?P<saved>\d+)",
          "Backward needs a value that was saved at version {saved}, but an in-place op has "
          "since changed it (it is now at version {now}), so the gradient would be wrong.",
          "Use the out-of-place op (y = y + 1, not y.add_(1)), or .clone() the tensor before "
          "changing it in place."),
    Entry("inplace-leaf-view", r"a view of a leaf Variable that requires grad is being used",
          "This tensor is a view of a leaf that requires grad; changing it in place would change "
          "the leaf behind autograd's back.",
          "Work on a copy (.clone()), or change the leaf under torch.no_grad()."),
    Entry("inplace-leaf", r"a leaf Variable that requires grad is being used in an in-place",
          "Changing a leaf that requires grad in place would overwrite the very value its "
          "gradients are taken with respect to.",
          "Change it under torch.no_grad() (as optimizers do), use an out-of-place op, or edit "
          "the leaf's values in the tensor editor."),
    Entry("int-requires-grad", r"(?i)only Tensors of floating point.*can require gradients",
          "Gradients only exist for floating-point tensors; integer and bool tensors cannot "
          "require grad.",
          "Make the tensor float (dtype=torch.float32, or write 1. instead of 1), or leave "
          "requires_grad off."),
    Entry("nonleaf-requires-grad", r"only change requires_grad flags of leaf variables",
          "This tensor was computed by an op: whether it requires grad follows from its "
          "inputs, and only leaves have a flag you can set.",
          "To cut the graph here use .detach(); to start tracking, set requires_grad on the "
          "leaf it comes from."),
    Entry("retain-grad-no-grad", r"can't retain_grad on Tensor that has requires_grad=False",
          "retain_grad() keeps the gradient backward sends into a tensor, but nothing flows "
          "into a tensor that does not require grad.",
          "Set requires_grad=True on a leaf this tensor is computed from first."),
    Entry("nonleaf-grad", r"The \.grad attribute of a Tensor that is not a leaf Tensor",
          "Backward only keeps .grad on leaves; this tensor was computed by an op, so its "
          ".grad stays None even after backward.",
          "Call .retain_grad() on it before backward (the Retain grad action), or read the "
          ".grad of the leaf it comes from."),
    Entry("grad-of-unused", r"appears to not have been used in the graph",
          "autograd.grad was asked for the gradient of a tensor the output does not depend on.",
          "Pass only inputs the output is computed from, or allow_unused=True to get None."),
    Entry("grad-input-no-grad", r"One of the differentiated Tensors does not require grad",
          "autograd.grad can only differentiate with respect to tensors that require grad.",
          "Set requires_grad=True on that input before computing the output."),
    Entry("zero-none", r"'NoneType' object has no attribute 'zero_'",
          "This .grad is None (no backward has reached the tensor yet, or it was set to None), "
          "so there is nothing to zero.",
          "Run Backward first, guard with `if t.grad is not None`, or choose 'set to None' in "
          "Zero grad options."),
    Entry("none-attribute", r"'NoneType' object has no attribute '(?P<attr>\w+)'",
          "The value here is None (often a .grad that backward never filled), and None has no "
          ".{attr}.",
          "Check .grad is not None first; run Backward, or retain_grad() on non-leaves."),
    Entry("grad-assign",
          r"assigned grad has data of a different|attempting to assign a gradient",
          "A .grad must have exactly the tensor's shape and dtype.",
          "Assign a tensor like torch.zeros_like(t), or None."),
    Entry("numpy-requires-grad", r"Can't call numpy\(\) on Tensor that requires grad",
          "numpy() gives an array autograd cannot follow; for a tensor that requires grad, "
          "PyTorch wants you to say so by detaching it first.",
          "Call .detach().numpy()."),
    Entry("detach-view", r"Can't detach views in-place",
          "detach_() cannot cut a view out of the graph its base belongs to.",
          "Use y = x.detach(), which returns a new tensor."),
    Entry("create-graph", r"create_graph=True.*not supported",
          "This engine cannot take gradients of gradients yet; PyTorch can.",
          "Leave create_graph off here, or run this part with real PyTorch."),
]

SHAPES = [
    Entry("matmul-shapes",
          r"mat1 and mat2 shapes cannot be multiplied \((?P<a>\d+x(?P<k>\d+)) and "
          r"(?P<b>(?P<k2>\d+)x\d+)\)",
          "For a @ b the columns of a must equal the rows of b; here a is {a} ({k} columns) "
          "and b is {b} ({k2} rows).",
          "Transpose one operand (.t()) or change a shape so the inner sizes match."),
    Entry("matmul-shapes-any", r"shapes cannot be multiplied",
          "For a @ b the last size of a must equal the first (or second-to-last) size of b.",
          "Transpose one operand (.t()) or change a shape so the inner sizes match."),
    Entry("mv-sizes", r"size mismatch, got input \(.*\), mat \(.*\), vec \(.*\)",
          "matrix @ vector needs the vector's length to equal the matrix's number of columns.",
          "Make the vector as long as the matrix is wide, or transpose the matrix."),
    Entry("dot-sizes", r"inconsistent tensor size, expected tensor \[\d+\] and src",
          "dot multiplies two vectors element by element, so they must have the same length.",
          "Use vectors of equal length, or matmul / outer for other products."),
    Entry("vectors-only", r"1D tensors expected, but got|outer: Expected 1-D argument",
          "dot and outer take vectors (1-D tensors) only.",
          "Flatten the operands first, or use matmul (@) for matrices."),
    Entry("matmul-0d", r"both arguments to (?P<op>\w+) need to be at least 1D",
          "{op} needs tensors with at least one dimension; a 0-d tensor is a single number.",
          "Multiply by a number with *, or reshape the 0-d tensor to 1 element."),
    Entry("mm-matrix", r"self must be a matrix|mat2 must be a matrix",
          "mm multiplies two 2-D matrices only.",
          "Use matmul (@), which handles vectors and batches too, or reshape to 2-D."),
    Entry("batch-sizes", r"Expected size for first two dimensions of batch2 tensor",
          "In a batched matrix product both operands need the same batch size and matching "
          "inner sizes.",
          "Make the batch sizes equal and the inner sizes match."),
    Entry("broadcast",
          r"The size of tensor a \((?P<a>\d+)\) must match the size of tensor b \((?P<b>\d+)\) "
          r"at non-singleton dimension (?P<dim>\d+)",
          "Broadcasting lines shapes up from the right; at dimension {dim} the sizes are {a} "
          "and {b}, and neither is 1, so they cannot be stretched to match.",
          "Make those sizes equal, or give one of them size 1 (unsqueeze / reshape) so it "
          "stretches."),
    Entry("broadcast-inplace", r"output with shape .* doesn't match the broadcast shape",
          "An in-place op writes into its own tensor, which cannot grow to the larger "
          "broadcast shape.",
          "Use the out-of-place op (x = x + y), which may return a bigger tensor."),
    Entry("broadcast-any", r"Attempting to broadcast a dimension",
          "These shapes cannot be broadcast together: compared from the right, each pair of "
          "sizes must be equal or contain a 1.",
          "Make the sizes match, or add dimensions of size 1 with unsqueeze."),
    Entry("expand-size",
          r"The expanded size of the tensor \((?P<want>-?\d+)\) must match the existing size "
          r"\((?P<have>\d+)\)",
          "Expanding (as expand does, and as writing into x[index] does) only stretches "
          "dimensions of size 1; this one has size {have}, so it cannot become {want}.",
          "Give that dimension size {want} or 1 (unsqueeze adds a 1), or copy data with "
          "repeat."),
    Entry("expand-count", r"the number of sizes provided .* must be greater or equal",
          "expand needs at least as many sizes as the tensor has dimensions (new ones go in "
          "front).",
          "List a size for every existing dimension; -1 keeps one as it is."),
    Entry("expand-leading", r"isn't allowed in a leading, non-existing dimension",
          "-1 means 'keep this size', but a new leading dimension has no size to keep.",
          "Give the new leading dimensions real sizes."),
    Entry("view-stride", r"view size is not compatible with input tensor's size and stride",
          "view never copies, and this tensor's elements are not laid out in memory in the "
          "order the new shape needs (after t(), transpose or permute they are not).",
          "Use .reshape(...), which copies when it must, or .contiguous() before .view(...)."),
    Entry("reshape-size", r"shape '\[(?P<shape>[^\]]*)\]' is invalid for input of size (?P<n>\d+)",
          "The shape [{shape}] does not hold exactly {n} elements, the number the tensor has.",
          "Pick sizes whose product is {n}, or write -1 for one size and let PyTorch work it "
          "out."),
    Entry("reshape-infer", r"only one dimension can be inferred",
          "Only one size of a shape may be -1; with two, the split is ambiguous.",
          "Give every size but one."),
    Entry("reshape-empty", r"because the unspecified dimension size -1 can be any value",
          "The tensor is empty, so any size would do for -1.",
          "Give every size explicitly."),
    Entry("dim-range",
          r"Dimension out of range \(expected to be in range of \[(?P<lo>-?\d+), (?P<hi>-?\d+)\]"
          r", but got (?P<got>-?\d+)\)",
          "dim {got} does not exist: this tensor's dims run from {lo} to {hi} (negative ones "
          "count from the end).",
          "Use a dim in that range; the tensor's shape is in the Tensors panel."),
    Entry("dim-of-0d", r"Dimension specified as \d+ but tensor has no dimensions",
          "This needs a dimension, but a 0-d tensor (a single number) has none.",
          "Reshape it to 1 element first, or drop the dim argument."),
    Entry("dim-twice", r"appears multiple times in the list of dims",
          "The same dimension is listed twice.",
          "List each dimension once."),
    Entry("t-3d", r"t\(\) expects a tensor with <= 2 dimensions",
          "t() transposes matrices only (and leaves vectors alone).",
          "Use transpose(dim0, dim1) or permute for more dimensions."),
    Entry("permute-dims", r"does not match the length of the desired ordering of dimensions",
          "permute needs one entry per dimension of the tensor, each dimension exactly once.",
          "Give as many dims as the tensor has, e.g. (1, 0) for a matrix."),
    Entry("flatten-args", r"start_dim cannot come after end_dim",
          "flatten merges the dims from start_dim to end_dim, so start_dim must come first.",
          "Swap them, or use the defaults (flatten everything)."),
    Entry("cat-sizes", r"Sizes of tensors must match except in dimension (?P<dim>\d+)",
          "cat joins along dim {dim}, so every other dimension must have the same size in all "
          "the tensors.",
          "Make the other sizes equal, or cat along a different dim."),
    Entry("cat-ndim", r"Tensors must have same number of dimensions",
          "cat needs tensors with the same number of dimensions.",
          "unsqueeze or reshape one of them first."),
    Entry("cat-0d", r"zero-dimensional tensor .* cannot be concatenated",
          "A 0-d tensor has no dimension to join along.",
          "Use stack, or reshape the 0-d tensors to 1 element."),
    Entry("stack-sizes", r"stack expects each tensor to be equal size",
          "stack puts tensors side by side along a new dimension, so they must all have "
          "exactly the same shape.",
          "Make the shapes equal, or use cat to join along an existing dimension."),
    Entry("stack-empty", r"stack expects a non-empty TensorList",
          "There is nothing to stack.",
          "Pass at least one tensor."),
]
