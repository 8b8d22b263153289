using Augur.Inference;
using Augur.Models;

namespace Augur.Scheduling;

/// <summary>
/// Whether two requests can share a batch: each input must have the same dimensions after the batch dimension.
/// When the signature fixes every such dimension, validation has already made all requests agree.
/// </summary>
internal sealed class RowShapes(ModelSignature signature)
{
    private readonly bool _allFixed = signature.Inputs.All(input => input.Shape.Skip(1).All(d => d >= 0));

    public bool Compatible(InferenceRequest a, InferenceRequest b)
    {
        if (_allFixed)
        {
            return true;
        }

        foreach (var spec in signature.Inputs)
        {
            var x = a.FindInput(spec.Name)!.Shape;
            var y = b.FindInput(spec.Name)!.Shape;
            if (!x[1..].SequenceEqual(y[1..]))
            {
                return false;
            }
        }

        return true;
    }
}
