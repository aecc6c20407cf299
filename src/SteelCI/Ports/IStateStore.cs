using SteelCI.State;

namespace SteelCI.Ports;

/// <summary>The durable record of a pipeline's runs. Saves are atomic: a killed process leaves the previous state.</summary>
public interface IStateStore
{
    /// <summary>Takes the pipeline's lock; a second runner of the same pipeline fails fast with a clear message.</summary>
    Task<IAsyncDisposable> LockAsync(CancellationToken cancellationToken);

    Task<RunState?> LoadAsync(CancellationToken cancellationToken);

    Task SaveAsync(RunState state, CancellationToken cancellationToken);
}
