using Augur.Backends;
using Augur.Inference;
using Augur.OnnxRuntime.Backend;
using Microsoft.ML.OnnxRuntime;

namespace Augur.OnnxRuntime.Sharing.Prefixes;

/// <summary>
/// An instance of a plain model that may come to share its prefix (design note 0018): it runs the whole graph in its
/// own session until the model is split (when a model with the same prefix loads, perhaps long after), then, from its
/// next batch on, the split model, and lets its whole-graph session go. The engine runs one batch at a time per
/// instance, so the switch needs no lock.
/// </summary>
internal sealed class SwitchingInstance(OnnxModel model, OnnxModelInstance whole) : IModelInstance
{
    private IModelInstance _current = whole;
    private bool _switched;

    public async ValueTask<BatchResult> ExecuteAsync(IReadOnlyList<InferenceRequest> batch, CancellationToken cancellationToken)
    {
        if (!_switched && model.Split is { } split)
        {
            _switched = true;
            IModelInstance? next = null;
            try
            {
                next = split.CreateInstance(model.Name, model.Signature, model.Time);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or InvalidDataException)
            {
                // The suffix opened once when the model was split; a session that will not open again keeps the whole graph.
            }

            if (next is not null)
            {
                await _current.DisposeAsync().ConfigureAwait(false);
                _current = next;
            }
        }

        return await _current.ExecuteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _current.DisposeAsync();
}
