using SteelCI.Contracts;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.Local;

/// <summary>Another run of the same pipeline holds the lock.</summary>
public sealed class RunLockedException(string message) : Exception(message);

/// <summary>
/// state.json in a folder, replaced atomically (write a new file, flush, rename), guarded by an exclusive lock on
/// state.lock that the operating system releases when the holder dies.
/// </summary>
public sealed class FileStateStore(string directory) : IStateStore
{
    private string StatePath => Path.Combine(directory, "state.json");

    public Task<IAsyncDisposable> LockAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "state.lock");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            foreach (var leftover in Directory.EnumerateFiles(directory, "state.json.*.tmp"))
                File.Delete(leftover); // a save that a killed process never finished
            return Task.FromResult<IAsyncDisposable>(stream);
        }
        catch (IOException)
        {
            throw new RunLockedException($"another steelci run of this pipeline is in progress (lock {path}); wait for it or stop it");
        }
    }

    public Task<RunState?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(StatePath))
            return Task.FromResult<RunState?>(null);
        var state = Json.Read<RunState>(StatePath);
        if (state.Format != RunState.CurrentFormat)
            throw new InvalidDataException($"{StatePath}: format '{state.Format}' is not {RunState.CurrentFormat}");
        return Task.FromResult<RunState?>(state);
    }

    public async Task SaveAsync(RunState state, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var temp = $"{StatePath}.{Guid.NewGuid():N}.tmp";
        await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(Json.Serialize(state)), cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, StatePath, overwrite: true);
    }
}
