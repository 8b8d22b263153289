namespace Augur.Baseline;

/// <summary>One output of an OIP response; <see cref="Data"/> is a flat array of the output's element type.</summary>
internal sealed record InferOutput(string Name, string Datatype, long[] Shape, object Data);
