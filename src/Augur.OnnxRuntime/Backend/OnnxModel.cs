using Augur.Backends;
using Augur.Models;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Backend;

/// <summary>
/// One loaded ONNX model version. The session created to read the graph's signature becomes the first
/// instance, so a model with one instance is parsed and optimised once.
/// </summary>
internal sealed class OnnxModel : IModel
{
    private readonly byte[] _bytes;
    private readonly SessionSettings _settings;
    private readonly ModelLoadContext _context;
    private InferenceSession? _firstSession;

    private OnnxModel(byte[] bytes, SessionSettings settings, ModelLoadContext context, InferenceSession firstSession, ModelSignature signature)
    {
        _bytes = bytes;
        _settings = settings;
        _context = context;
        _firstSession = firstSession;
        Signature = signature;
    }

    public ModelSignature Signature { get; }

    public static OnnxModel Load(byte[] bytes, SessionSettings settings, ModelLoadContext context)
    {
        var session = CreateSession(bytes, settings, context.VersionDirectory);
        try
        {
            var signature = new ModelSignature(
                Describe(session.InputNames, session.InputMetadata, "input"),
                Describe(session.OutputNames, session.OutputMetadata, "output"));
            return new OnnxModel(bytes, settings, context, session, signature);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public ValueTask<IModelInstance> CreateInstanceAsync(int index, CancellationToken cancellationToken)
    {
        var session = Interlocked.Exchange(ref _firstSession, null) ?? CreateSession(_bytes, _settings, _context.VersionDirectory);
        return ValueTask.FromResult<IModelInstance>(new OnnxModelInstance(_context.ModelName, session, Signature, _context.Time));
    }

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _firstSession, null)?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static InferenceSession CreateSession(byte[] bytes, SessionSettings settings, string versionDirectory)
    {
        using var options = settings.Create();
        // A model loaded from bytes has no folder of its own: external data (checked by ExternalDataCheck) is read from its version folder.
        options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", versionDirectory);
        return new InferenceSession(bytes, options);
    }

    private static TensorSpec[] Describe(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata, string kind)
    {
        var specs = new TensorSpec[names.Count];
        for (var i = 0; i < specs.Length; i++)
        {
            var node = metadata[names[i]];
            if (!node.IsTensor || !ElementTypes.TryToDataType(node.ElementDataType, out var dataType))
            {
                throw new NotSupportedException(
                    $"{kind} '{names[i]}' is a {(node.IsTensor ? node.ElementDataType.ToString() : node.OnnxValueType.ToString())}; Augur serves tensors of the protocol's datatypes only");
            }

            specs[i] = new TensorSpec(names[i], dataType, node.Dimensions.Select(d => d < 0 ? -1L : d).ToArray());
        }

        return specs;
    }
}
