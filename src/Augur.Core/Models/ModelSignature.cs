namespace Augur.Models;

/// <summary>The inputs and outputs of a model, in the model's order.</summary>
/// <param name="Inputs">The inputs.</param>
/// <param name="Outputs">The outputs.</param>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    /// <summary>The input named <paramref name="name"/>, or null.</summary>
    public TensorSpec? FindInput(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    /// <summary>The output named <paramref name="name"/>, or null.</summary>
    public TensorSpec? FindOutput(string name) => Outputs.FirstOrDefault(o => o.Name == name);

    /// <summary>The position of the output named <paramref name="name"/>, or -1.</summary>
    public int IndexOfOutput(string name)
    {
        for (var i = 0; i < Outputs.Count; i++)
        {
            if (Outputs[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}
