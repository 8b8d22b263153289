"""Derives, from ONNX's docs/Changelog.md and docs/Changelog-ml.md, the opset versions at which each operator changed
in a way a graph written for the earlier version could notice. A new version of an operator is counted as compatible
with the one before it (the graph keeps its meaning) when its description, attributes (names, types, defaults, text),
inputs and outputs (names, types, text) are the same and every type constraint allows at least the types it allowed.
Anything else (a new attribute, an input that moved, a reworded description) counts as a change, to be safe, except the
transitions in REVIEWED_COMPATIBLE below. Prints the two tables of src/Augur.OnnxRuntime/Fusion/OperatorChanges.cs:

    git -C onnx show HEAD:docs/Changelog.md > Changelog.md; git -C onnx show HEAD:docs/Changelog-ml.md > Changelog-ml.md
    python3 docs/design/0014-operator-changes.py Changelog.md Changelog-ml.md
"""
import re, sys, collections

def entries(path, prefix):
    text = open(path, encoding="utf-8").read()
    heads = list(re.finditer(r'^### <a name="([A-Za-z0-9_.]+)-(\d+)"></a>.*$', text, re.M))
    ops = collections.defaultdict(dict)
    for i, m in enumerate(heads):
        body = text[m.end(): heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        body = re.split(r'^## Version ', body, flags=re.M)[0]
        name = m.group(1)
        if prefix and name.startswith(prefix):
            name = name[len(prefix):]
        ops[name][int(m.group(2))] = parse(body)
    return ops

def section(body, title):
    m = re.search(r'^#### ' + title + r'.*?$(.*?)(?=^#### |\Z)', body, re.M | re.S)
    return m.group(1) if m else ""

def norm(s):
    # Differentiability and heterogeneity tags say nothing about inference; punctuation around them goes with them.
    s = re.sub(r'\b(non-)?differentiable\b|\bheterogeneous\b', '', s)
    s = re.sub(r'[(),]', ' ', s)
    return " ".join(s.split())

def parse(body):
    description = body.split("#### Version")[0]
    deprecated = "deprecated" in section(body, "Version").lower() and "has been deprecated" in body
    constraints = {}
    for m in re.finditer(r'<dt><tt>([^<]+)</tt> : ([^<]*)</dt>', section(body, "Type Constraints")):
        constraints[m.group(1)] = set(t.strip() for t in m.group(2).split(", ") if t.strip())
    return dict(
        description=norm(description),
        attributes=norm(section(body, "Attributes")),
        inputs=norm(section(body, "Inputs")),
        outputs=norm(section(body, "Outputs")),
        constraints=constraints,
        deprecated=deprecated)

def compatible(old, new):
    if new["deprecated"] or old["deprecated"]:
        return False
    for key in ("description", "attributes", "inputs", "outputs"):
        if old[key] != new[key]:
            return False
    if old["constraints"].keys() != new["constraints"].keys():
        return False
    return all(old["constraints"][k] <= new["constraints"][k] for k in old["constraints"])

def breaks(ops):
    result = {}
    for name, versions in sorted(ops.items()):
        vs = sorted(versions)
        starts = [vs[0]]
        for a, b in zip(vs, vs[1:]):
            if not compatible(versions[a], versions[b]):
                starts.append(b)
        result[name] = (vs, starts)
    return result


# Transitions the rule above counts as changes but that were read and found to keep the meaning of graphs written for
# the version before (types added, optional attributes whose default is the old behaviour, reworded documentation).
REVIEWED_COMPATIBLE = {
    ("Abs", 13): "documentation reworded; bfloat16 added",
    ("Add", 14): "uint8, int8, uint16 and int16 added",
    ("Sub", 14): "uint8, int8, uint16 and int16 added",
    ("Mul", 14): "uint8, int8, uint16 and int16 added",
    ("Div", 14): "uint8, int8, uint16 and int16 added",
    ("Pow", 13): "bfloat16 added; documentation punctuation",
    ("Gemm", 13): "bfloat16 added",
    ("Mod", 13): "documentation reworded; bfloat16 added",
    ("Floor", 13): "documentation of special values added; bfloat16 added",
    ("Ceil", 13): "documentation of special values added; bfloat16 added",
    ("ArgMax", 13): "documentation wording; bfloat16 added",
    ("ArgMin", 13): "documentation wording; bfloat16 added",
    ("Reshape", 14): "allowzero added; its default 0 is the old behaviour",
    ("Shape", 15): "start and end added; their defaults give the whole shape",
    ("Squeeze", 23): "documentation of the axes input reworded",
    ("Unsqueeze", 23): "documentation of the axes input reworded",
    ("Transpose", 21): "documentation of perm clarified",
    ("Transpose", 25): "documentation of perm clarified",
    ("Slice", 13): "documentation rewritten; bfloat16 added",
    ("Gather", 13): "documentation extended; bfloat16 added",
    ("GatherElements", 13): "documentation formatting; bfloat16 added",
    ("GatherND", 13): "documentation formatting; bfloat16 added",
    ("Identity", 14): "type constraint renamed and widened to sequences",
    ("Cast", 19): "saturate added; it applies to float 8 targets only",
    ("CastLike", 19): "saturate added; it applies to float 8 targets only",
    ("Cast", 24): "round_mode added; it applies to float8e8m0 targets only",
    ("CastLike", 24): "round_mode added; it applies to float8e8m0 targets only",
    ("ReduceMax", 20): "bool added",
    ("ReduceMin", 20): "bool added",
    ("ScatterElements", 16): "reduction added; its default none is the old behaviour",
    ("ScatterElements", 18): "reductions max and min added",
    ("ScatterND", 16): "reduction added; its default none is the old behaviour",
    ("ScatterND", 18): "reductions max and min added",
    ("Loop", 16): "optional types added",
    ("Dropout", 22): "documentation of training_mode reworded",
}

def csharp(name, table):
    lines = [f"    private static readonly FrozenDictionary<string, int[]> {name} = new Dictionary<string, int[]>(StringComparer.Ordinal)", "    {"]
    for op, (versions, starts) in sorted(table.items()):
        lines.append(f"        [\"{op}\"] = [{', '.join(map(str, starts))}],")
    lines.append("    }.ToFrozenDictionary(StringComparer.Ordinal);")
    return "\n".join(lines)

if __name__ == "__main__":
    core = breaks(entries(sys.argv[1], ""))
    ml = breaks(entries(sys.argv[2], "ai.onnx.ml."))
    for (op, version) in REVIEWED_COMPATIBLE:
        versions, starts = core[op]
        assert version in starts, (op, version)
        starts.remove(version)
    print(csharp("DefaultDomain", core))
    print()
    print(csharp("MlDomain", ml))
