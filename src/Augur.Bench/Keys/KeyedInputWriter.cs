using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Augur.Models;
using Augur.Protocol.Json;

namespace Augur.Bench.Keys;

/// <summary>
/// Writes the job input that precomputes the most popular keys: one JSON Lines row per key from 0 to top − 1,
/// <c>{"prediction_key":"K","INPUT":[...],...}</c>, each input's values exactly those a keyed query for K carries
/// (the same <see cref="KeyedInputs"/>, written by the same <see cref="TensorJsonWriter"/>). Run
/// <c>augur batch --input FILE --key-column prediction_key</c> on it, and every stored prediction is keyed by the
/// <c>prediction_key</c> the load generator sends for the same inputs.
/// </summary>
public static class KeyedInputWriter
{
    /// <summary>The column that holds each row's key.</summary>
    public const string KeyColumn = "prediction_key";

    /// <summary>Writes the rows of keys 0 to <paramref name="top"/> − 1 for a model whose inputs are <paramref name="inputs"/>.</summary>
    public static async Task WriteJsonlAsync(Stream destination, IReadOnlyList<TensorSpec> inputs, int top, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        if (inputs.FirstOrDefault(i => i.Name == KeyColumn) is { } clash)
        {
            throw new InvalidDataException($"the model has an input named '{clash.Name}', the name of the key column");
        }

        var buffer = new ArrayBufferWriter<byte>();
        await using var writer = new Utf8JsonWriter(buffer);
        for (var key = 0; key < top; key++)
        {
            writer.WriteStartObject();
            writer.WriteString(KeyColumn, key.ToString(CultureInfo.InvariantCulture));
            foreach (var tensor in KeyedInputs.Create(inputs, key))
            {
                writer.WritePropertyName(tensor.Name);
                TensorJsonWriter.WriteData(writer, tensor);
            }

            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            writer.Reset();
            buffer.Write("\n"u8);
            if (buffer.WrittenCount >= 1 << 20 || key == top - 1)
            {
                await destination.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                buffer.ResetWrittenCount();
            }
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
