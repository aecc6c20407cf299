using SteelCI.Ports;
using SteelCI.Testing;

namespace SteelCI.Slurm.Tests;

/// <summary>Waits on the real Slurm for what a backend reports of an attempt.</summary>
internal static class Jobs
{
    /// <summary>Polls until the attempt has ended (or <paramref name="until"/> holds), and returns its last status.</summary>
    public static async Task<AttemptStatus> EndedAsync(IComputeBackend backend, AttemptHandle handle, Func<AttemptStatus, bool>? until = null)
    {
        AttemptStatus status = new(AttemptState.Queued);
        Assert.True(await Eventually.Until(async () => (until ?? (s => s.IsFinished))(status = await backend.PollAsync(handle, CancellationToken.None)),
            TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(250)), $"still {status}");
        return status;
    }
}
