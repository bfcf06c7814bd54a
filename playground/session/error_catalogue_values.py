"""The error catalogue, continued: indexing, dtypes, losses, making tensors, and the session's
own refusals. See ``error_catalogue.py`` for how entries are written and matched."""

from __future__ import annotations

from .error_catalogue import Entry

INDEXING = [
    Entry("index-bounds",
          r"index (?P<i>-?\d+) is out of bounds for dimension (?P<dim>\d+) with size (?P<size>\d+)",
          "Index {i} is past the end: dimension {dim} has size {size}, so indices run from 0 "
          "to {size} - 1 (or from -{size} counting from the end).",
          "Use an index inside the dimension's size."),
    Entry("too-many-indices", r"too many indices for tensor of dimension (?P<n>\d+)",
          "The tensor has {n} dimensions, and it was indexed with more indices than that.",
          "Give at most one index per dimension."),
    Entry("mask-shape", r"The shape of the mask .* does not match the shape of the indexed",
          "A boolean mask must have the shape of the tensor (or of its leading dimensions).",
          "Build the mask from the same tensor, e.g. x[x > 0]."),
    Entry("index-put-shape", r"shape mismatch: value tensor of shape .* cannot be broadcast",
          "The values written into x[index] must broadcast to the shape that index selects.",
          "Give values of the selected shape, or a single number."),
    Entry("index-put-dtype", r"Index put requires the source and destination dtypes match",
          "Values written into a tensor must have the tensor's dtype.",
          "Convert the values first with .to(x.dtype)."),
    Entry("memory-overlap", r"refers? to a single memory location",
          "Reading and writing the same memory in one in-place op would give an order-"
          "dependent result.",
          "Write from a copy: .clone() the source first."),
    Entry("negative-step", r"step must be greater than zero",
          "Tensors cannot be sliced with a negative step (x[::-1] works for lists only).",
          "Use torch.flip(x, dims=[0]) to reverse."),
    Entry("empty-reduction", r"Expected reduction dim( \S+)? to (have non-zero size|be specified)",
          "The max or min of an empty tensor (or an empty dimension) has no answer.",
          "Reduce over a dimension that has elements, or check the tensor's shape."),
    Entry("item-many", r"a Tensor with (?P<n>\d+) elements cannot be converted to Scalar",
          ".item() gives one Python number, but this tensor has {n} elements.",
          "Pick one element first (t[0, 1].item()), or reduce with .sum() or .mean()."),
    Entry("bool-ambiguous", r"Boolean value of Tensor with more than one value is ambiguous",
          "if, and, or and not need one True or False, but this tensor holds one per element.",
          "Say which you mean with .all() or .any(), or use torch.where to choose per "
          "element."),
    Entry("0d-length", r"len\(\) of a 0-d tensor|iteration over a 0-d tensor",
          "A 0-d tensor is a single number: it has no length and nothing to loop over.",
          "Use .item() to get the number, or reshape(1) to make a 1-element vector."),
    Entry("index-from-tensor", r"only integer tensors of a single element can be converted",
          "Only a single integer can be used as an index this way.",
          "Index with an int, or with .item() of a one-element integer tensor."),
]

DTYPES = [
    Entry("matmul-dtype",
          r"expected (?P<a>\w+) and (?P<b>\w+) to have the same dtype, but got: (?P<x>\w+) != "
          r"(?P<y>\w+)",
          "Both operands of a matrix product must have the same dtype; here {a} is {x} and {b} "
          "is {y} (float is float32, double is float64).",
          "Convert one of them: .float() or .double(), or .to(other.dtype)."),
    Entry("dtype-mismatch",
          r"expected scalar type (?P<want>\w+) but found (?P<got>\w+)|"
          r"to have same dtype, but found|must have the same dtype, but got",
          "The operands have different dtypes (float is float32, double is float64), and this "
          "op does not mix them.",
          "Convert one operand with .float() or .double() so both match."),
    Entry("loss-dtype", r"Found dtype (?P<got>\w+) but expected (?P<want>\w+)",
          "The target of this loss must have the input's dtype ({want}), but it is {got}.",
          "Convert the target with .to(input.dtype), or make both float32."),
    Entry("not-implemented-dtype", r"not implemented for '(?P<dtype>\w+)'",
          "This op has no kernel for {dtype} tensors; most maths needs floating point.",
          "Convert to float first (.float()), or make the tensor with dtype=torch.float32."),
    Entry("mean-int", r"mean\(\): could not infer output dtype",
          "The mean of integers is usually not an integer, so PyTorch wants a floating tensor.",
          "Use x.float().mean(), or make x with a float dtype."),
    Entry("bool-minus", r"the `-` operator, (on|with) (a|two) bool",
          "Minus is not defined for True/False tensors.",
          "Invert a mask with ~mask (or logical_not()); use ^ for exclusive or."),
    Entry("bool-relu", r"Boolean inputs not supported for relu",
          "relu is for numbers; a bool tensor has only True and False.",
          "Convert with .float() first."),
    Entry("int-negative-power", r"Integers to negative integer powers are not allowed",
          "An integer to a negative power is a fraction, which an integer tensor cannot hold.",
          "Make the base float (x.float()) or the exponent a float (-1.)."),
    Entry("inplace-cast", r"result type (?P<got>\w+) can't be cast to the desired output type "
          r"(?P<want>\w+)",
          "An in-place op keeps the tensor's dtype, and a {got} result cannot be stored in a "
          "{want} tensor.",
          "Use the out-of-place op (x = x + 0.5), or convert the tensor first."),
    Entry("where-condition", r"where expected condition to be a boolean tensor",
          "torch.where picks by a True/False mask, and this condition is not bool.",
          "Pass a comparison such as x > 0, or .bool() the condition."),
    Entry("int-overflow", r"cannot be converted to type \w+ without overflow",
          "The value (often nan or inf) does not fit in the tensor's integer dtype.",
          "Use a smaller number, or a float tensor."),
    Entry("clamp-nothing", r"At least one of 'min' or 'max' must not be None",
          "clamp with neither min nor max would do nothing.",
          "Give min, max, or both."),
]

LOSSES = [
    Entry("bce-range", r"all elements of (?P<which>input|target) should be between 0 and 1",
          "binary_cross_entropy takes probabilities, so every element of its {which} must be "
          "in [0, 1]; a raw score (a logit) is not.",
          "Pass sigmoid(x) as the input, or use binary_cross_entropy_with_logits on raw scores "
          "(and check input and target are not swapped)."),
    Entry("ce-target-dtype", r"expected target dtype to be Long or Byte, but got (?P<got>\w+)",
          "With class-index targets, cross_entropy wants whole class numbers as int64 (long), "
          "but this target is {got}.",
          "Make the target torch.long (torch.tensor([0, 2])), or pass class probabilities "
          "as floats of the input's shape."),
    Entry("ce-probabilities", r"Expected floating point type for target with class probabilit",
          "A target of the input's shape is read as class probabilities, which must be floats.",
          "Make the target float, or give one class index per row (a long vector)."),
    Entry("ce-target-bounds", r"Target (?P<t>-?\d+) is out of bounds",
          "Class {t} does not exist: class indices run from 0 to C - 1, C being the input's "
          "size along dim 1.",
          "Use class indices below the number of classes."),
    Entry("ce-target-size", r"Expected target size|to match target batch_size|1D target must "
          r"have size 1|target tensor expected, multi-target|size mismatch \(got input",
          "cross_entropy wants one class index per row of the input (N rows, N targets).",
          "Give a target of shape [N] for an input of shape [N, C]."),
    Entry("ce-weight", r"weight tensor should be defined either for all",
          "A class weight must be given for every class, or for none.",
          "Give a weight tensor of length C."),
    Entry("loss-target-size", r"Target size \(.*\) must be the same as input size|"
          r"Using a target size \(.*\) that is different to the input size \(.*\) is deprecated",
          "The loss compares input and target element by element, so they need the same shape.",
          "Reshape the target to the input's shape (e.g. target.view_as(input))."),
    Entry("loss-target-broadcast", r"Using a target size \(.*\) that is different to the input",
          "input and target have different shapes, so they are broadcast: every element may "
          "be compared with the wrong partner, and the loss looks fine but is not.",
          "Give the target the input's shape (reshape or squeeze one of them)."),
    Entry("loss-reduction", r"is not a valid value for reduction|Invalid reduction mode",
          "reduction says how the per-element losses are combined.",
          "Use 'mean', 'sum' or 'none'."),
    Entry("softmax-dim", r"Implicit dimension choice for",
          "softmax without dim guesses which axis sums to 1, and the guess is deprecated.",
          "Pass dim explicitly (dim=-1 for each row)."),
    Entry("not-differentiable", r"is not differentiable with respect to argument",
          "The loss has no gradient with respect to this argument (usually the target), so it "
          "must not require grad.",
          "Pass target.detach(), or leave requires_grad off on the target."),
]

MAKING = [
    Entry("ragged",
          r"expected sequence of length (?P<n>\d+) at dim (?P<dim>\d+) \(got (?P<got>\d+)\)",
          "A tensor is rectangular: every row at depth {dim} must have {n} elements, but one "
          "has {got}.",
          "Give every row the same length."),
    Entry("tensor-data", r"new\(\): invalid data type|can't convert np\.ndarray of type",
          "torch.tensor takes numbers, or nested lists of numbers.",
          "Pass numbers like [[1., 2.], [3., 4.]]."),
    Entry("negative-size", r"Trying to create tensor with negative dimension|"
          r"must be greater or equal to 0, got",
          "Sizes cannot be negative.",
          "Use sizes of 0 or more."),
    Entry("size-type", r"argument 'size' .*must be tuple of ints|must be int, not",
          "Sizes and dims are whole numbers.",
          "Give ints, e.g. (2, 3)."),
    Entry("arange-step", r"step must be nonzero|upper bound and \w+ bound inconsistent",
          "arange walks from start towards end by step, so step must be non-zero and point "
          "that way.",
          "Use a positive step when end > start, a negative one when end < start."),
    Entry("linspace-steps", r"number of steps must be non-negative",
          "linspace needs 0 or more points.",
          "Give steps >= 0."),
    Entry("bad-operand", r"must be Tensor or Number, not|must be Tensor, not",
          "This op takes tensors (or plain numbers), and this argument is neither.",
          "Pass a tensor or a number."),
    Entry("missing-argument", r"missing required argument '(?P<arg>\w+)'",
          "The op needs a value for {arg}.",
          "Fill in {arg} in the step form."),
]

SESSION = [
    Entry("size-limit", r"would have (?P<n>\d+) elements; the playground's limit is (?P<limit>\d+)",
          "{n} elements is more than the playground can draw and keep for every timeline point "
          "(its limit is {limit}).",
          "Use a smaller shape: what holds for a 4×5 tensor holds for a big one."),
    Entry("name-not-defined", r"name '(?P<name>\w+)' is not defined",
          "{name} does not exist at this point of the session: the step that makes it failed, "
          "or it was removed or renamed.",
          "Fix the step that makes {name} (its ✗ in the pipeline says why), or pick another "
          "tensor."),
    Entry("used-by", r"(?P<name>\w+) is used by (?P<user>\w+)",
          "{user} takes {name} as an input, so {name} cannot go (or change its name) while "
          "{user} needs it.",
          "Change or remove {user} first, then {name}."),
    Entry("made-by-detach", r"was made by a detach action",
          "This tensor is the result of a Detach on the timeline, not a definition, so it goes "
          "away with that action.",
          "Undo the Detach (or remove it from the timeline)."),
    Entry("used-on-timeline", r"is used on the timeline",
          "A timeline action refers to this tensor, and replaying it needs the tensor.",
          "Remove that action first (or undo up to before it)."),
    Entry("name-taken", r"the name '(?P<name>\w*)' is (already used|used twice)",
          "Every tensor in a session needs its own name, as every variable in a script does.",
          "Choose another name than {name}."),
    Entry("bad-name", r"is not a valid Python name",
          "Tensor names become variables in the exported script, so they must be Python names.",
          "Use letters, digits and _, not starting with a digit (e.g. h1)."),
    Entry("reserved-name", r"is reserved for the exported script",
          "The exported script uses this name itself (for torch or a helper).",
          "Choose another name."),
    Entry("replace-keeps-name", r"keeps its name; rename it instead",
          "Replacing a tensor keeps its name; renaming is a separate edit.",
          "Rename it first, then edit it."),
    Entry("no-values", r"has no values to edit",
          "This leaf could not be made, so there are no values to change.",
          "Fix the leaf's definition first."),
    Entry("no-such", r"there is no (?P<what>\w+) named",
          "There is no {what} of that name (any more): it was removed or renamed.",
          "Pick one from the list."),
    Entry("data-count", r"data has (?P<n>\d+) elements but shape .* needs (?P<need>\d+)",
          "The values typed are {n}, but the shape needs {need}.",
          "Type as many values as the shape holds, or change the shape."),
    Entry("unknown-op", r"the engine has no op|unknown op '",
          "The session names an op this playground does not have (an older or hand-edited "
          "file).",
          "Replace that step with one from the palette."),
    Entry("inplace-view-engine", r"in-place operations on this kind of view",
          "The engine cannot yet follow an in-place change through this kind of view.",
          "Use the out-of-place op."),
    Entry("engine-missing", r"not available in this engine|^\w+Error: engine: |"
          r"NotImplementedError: engine: ",
          "This PyTorch feature is not in the playground's engine yet; PyTorch itself runs it.",
          "Use another way to the same result, or run the exported script with PyTorch."),
    Entry("not-a-tensor", r"gave \w+, not a tensor",
          "A step must produce a tensor, and this op gave something else.",
          "Use an op that returns a tensor."),
]
