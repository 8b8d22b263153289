namespace Augur.Models;

/// <summary>How the model set may change while the engine runs (Triton's <c>--model-control-mode</c>).</summary>
public enum ModelControlMode
{
    /// <summary>Every model of the repository is loaded at start-up and the set never changes. The default.</summary>
    None,

    /// <summary>
    /// Like <see cref="None"/> at start-up; then the repository is watched: new models and version folders are loaded,
    /// changed files reloaded (validate-then-swap) and removed models unloaded. Load and unload requests are refused,
    /// because the next poll would undo them.
    /// </summary>
    Poll,

    /// <summary>Only the start-up models are loaded; afterwards models are loaded and unloaded on request only.</summary>
    Explicit,
}
