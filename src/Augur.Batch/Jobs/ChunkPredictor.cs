using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Augur.Batch.Input;
using Augur.Batch.Mapping;
using Augur.Batch.Storage;
using Augur.Errors;
using Augur.Inference;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Batch.Jobs;

/// <summary>
/// Predicts one chunk through the engine: encodes its rows into requests of up to <c>requestRows</c> rows, submits
/// them all at once (so the engine's dynamic batcher and every model instance have work), and turns each answer into
/// stored rows. Rows that cannot be encoded, or that the engine rejects as invalid, become bad rows; any other engine
/// error fails the chunk, which is then not committed.
/// </summary>
internal sealed class ChunkPredictor(
    InferenceEngine engine, string model, string? version, IReadOnlyList<InputBinding> bindings, bool batches, int requestRows,
    int keyOrdinal, IReadOnlyList<(string Name, int Ordinal)> include)
{
    public async Task<ChunkResult> PredictAsync(long index, IReadOnlyList<(long RowId, SourceRow Row)> rows, CancellationToken cancellationToken)
    {
        var predicted = new List<PredictedRow>(rows.Count);
        var errors = new List<RowError>();
        var groups = new List<Task<(List<PredictedRow>, List<RowError>)>>();
        var all = rows.ToArray();
        for (var start = 0; start < rows.Count; start += requestRows)
        {
            var slice = new ArraySegment<(long, SourceRow)>(all, start, Math.Min(requestRows, rows.Count - start));
            // Task.Run: the engine runs a request on the caller's thread when an instance is free, so concurrent
            // requests need threads of their own to occupy several instances at once.
            groups.Add(Task.Run(() => PredictGroupAsync(slice, cancellationToken), cancellationToken));
        }

        foreach (var group in groups)
        {
            var (ok, bad) = await group.ConfigureAwait(false);
            predicted.AddRange(ok);
            errors.AddRange(bad);
        }

        return new ChunkResult(index, predicted, errors);
    }

    private async Task<(List<PredictedRow>, List<RowError>)> PredictGroupAsync(IReadOnlyList<(long RowId, SourceRow Row)> rows, CancellationToken cancellationToken)
    {
        var errors = new List<RowError>();
        var good = new List<(long RowId, object?[] Values, string Key)>(rows.Count);
        var buffers = bindings.Select(b => new byte[rows.Count * b.ElementsPerRow * Math.Max(1, b.Spec.DataType == DataType.Bytes ? 0 : b.Spec.DataType.ElementSize())]).ToArray();
        var strings = bindings.Select(b => b.Spec.DataType == DataType.Bytes ? new List<string>(rows.Count) : null).ToArray();
        foreach (var (rowId, row) in rows)
        {
            var key = keyOrdinal < 0 ? rowId.ToString(CultureInfo.InvariantCulture) : ValueConverter.AsText(row.Values?[keyOrdinal]);
            if (row.Problem is not null)
            {
                errors.Add(new RowError(rowId, key, row.Problem));
                continue;
            }

            if (string.IsNullOrEmpty(key))
            {
                errors.Add(new RowError(rowId, null, $"the key column is empty or missing"));
                continue;
            }

            if (TryEncode(row.Values!, good.Count, buffers, strings, out var problem))
            {
                good.Add((rowId, row.Values!, key));
            }
            else
            {
                errors.Add(new RowError(rowId, key, problem!));
            }
        }

        var predicted = new List<PredictedRow>(good.Count);
        if (good.Count == 0)
        {
            return (predicted, errors);
        }

        if (!batches)
        {
            // A model without a batch dimension takes one row per request.
            for (var i = 0; i < good.Count; i++)
            {
                await RunAsync(good.GetRange(i, 1), i, 1, buffers, strings, predicted, errors, cancellationToken).ConfigureAwait(false);
            }

            return (predicted, errors);
        }

        await RunAsync(good, 0, good.Count, buffers, strings, predicted, errors, cancellationToken).ConfigureAwait(false);
        return (predicted, errors);
    }

    private async Task RunAsync(
        List<(long RowId, object?[] Values, string Key)> rows, int first, int count, byte[][] buffers, List<string>?[] strings,
        List<PredictedRow> predicted, List<RowError> errors, CancellationToken cancellationToken)
    {
        var inputs = new InferenceTensor[bindings.Count];
        for (var b = 0; b < bindings.Count; b++)
        {
            var binding = bindings[b];
            long[] shape = batches ? [count, .. binding.RowShape] : binding.RowShape;
            inputs[b] = binding.Spec.DataType == DataType.Bytes
                ? InferenceTensor.CreateStrings(binding.Spec.Name, strings[b]!.GetRange(first, count).ToArray(), shape)
                : InferenceTensor.FromRaw(binding.Spec.Name, binding.Spec.DataType, shape,
                    buffers[b].AsMemory(first * binding.ElementsPerRow * binding.Spec.DataType.ElementSize(), count * binding.ElementsPerRow * binding.Spec.DataType.ElementSize()));
        }

        var result = await engine.TryInferAsync(new InferenceRequest(model, inputs) { ModelVersion = version }, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            for (var i = 0; i < count; i++)
            {
                var (rowId, values, key) = rows[i];
                predicted.Add(new PredictedRow(rowId, key, IncludedJson(values), OutputsJson(result.Response, i, count), result.Response.ModelVersion));
            }

            return;
        }

        if (result.Error.Code != ErrorCode.InvalidArgument)
        {
            throw new BatchJobException(BatchExitCode.Failed, $"inference failed ({result.Error.Code}): {result.Error.Message}");
        }

        if (count == 1)
        {
            errors.Add(new RowError(rows[0].RowId, rows[0].Key, $"the model rejected the row: {result.Error.Message}"));
            return;
        }

        // One invalid row fails its whole request; run the rows one by one to find which.
        for (var i = 0; i < count; i++)
        {
            await RunAsync(rows.GetRange(i, 1), first + i, 1, buffers, strings, predicted, errors, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool TryEncode(object?[] values, int slot, byte[][] buffers, List<string>?[] strings, out string? problem)
    {
        for (var b = 0; b < bindings.Count; b++)
        {
            var binding = bindings[b];
            if (binding.Spec.DataType == DataType.Bytes)
            {
                var text = values[binding.Ordinals[0]] is MissingValue ? null : ValueConverter.AsText(values[binding.Ordinals[0]]);
                if (text is null)
                {
                    problem = $"input '{binding.Spec.Name}': column '{binding.Columns[0]}' is null or missing";
                    return false;
                }

                strings[b]!.Add(text);
                continue;
            }

            var size = binding.Spec.DataType.ElementSize();
            var row = buffers[b].AsSpan(slot * binding.ElementsPerRow * size, binding.ElementsPerRow * size);
            if (binding.Ordinals.Length == 1)
            {
                if (!ValueConverter.TryWrite(values[binding.Ordinals[0]], binding.Columns[0], binding.Spec.DataType, binding.ElementsPerRow, row, out problem))
                {
                    problem = $"input '{binding.Spec.Name}': {problem}";
                    RollBack(strings, b);
                    return false;
                }

                continue;
            }

            for (var c = 0; c < binding.Ordinals.Length; c++)
            {
                if (!ValueConverter.TryWrite(values[binding.Ordinals[c]], binding.Columns[c], binding.Spec.DataType, 1, row[(c * size)..], out problem))
                {
                    problem = $"input '{binding.Spec.Name}': {problem}";
                    RollBack(strings, b);
                    return false;
                }
            }
        }

        problem = null;
        return true;
    }

    // A BYTES input earlier in the row was already appended; a row that fails later must not leave it behind.
    private static void RollBack(List<string>?[] strings, int failedBinding)
    {
        for (var b = 0; b < failedBinding; b++)
        {
            strings[b]?.RemoveAt(strings[b]!.Count - 1);
        }
    }

    private string IncludedJson(object?[] values)
    {
        if (include.Count == 0)
        {
            return "{}";
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, ordinal) in include)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, values[ordinal]);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null or DBNull or MissingValue: writer.WriteNullValue(); break;
            case JsonElement json: json.WriteTo(writer); break;
            case string s: writer.WriteStringValue(s); break;
            case bool flag: writer.WriteBooleanValue(flag); break;
            case Array array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                if (ValueConverter.TryNumber(value, out var number) && double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    writer.WriteStringValue(ValueConverter.AsText(value));
                }

                break;
        }
    }

    // The outputs of one row, each written as the server writes an output's data, so a stored row reads exactly as
    // the infer response for that row alone.
    private static string OutputsJson(InferenceResponse response, int row, int rows) => RowOutputsJson.Write(response.Outputs, row, rows);
}
