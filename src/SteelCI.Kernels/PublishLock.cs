using System.Runtime.InteropServices;

namespace SteelCI.Kernels;

/// <summary>
/// One publish of a trainer project at a time on this machine. Publishes of the same project share its obj/
/// folders (restore state, intermediate files), so two at once — two runners, two test projects — race and can
/// leave a half-written build that the next one trusts. The lock is an flock on a file beside them: the kernel
/// releases it when the holder's file is closed or its process dies (even by kill -9), so it never goes stale.
/// </summary>
internal sealed class PublishLock : IDisposable
{
    private const int LockExclusive = 2;
    private readonly FileStream _file;

    private PublishLock(FileStream file) => _file = file;

    /// <summary>Waits until no other process publishes the project whose obj/ folder is <paramref name="objDirectory"/>.</summary>
    public static async Task<PublishLock> AcquireAsync(string objDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(objDirectory);
        // FileShare.ReadWrite: .NET takes no lock of its own; the flock below is the only one.
        var file = new FileStream(Path.Combine(objDirectory, "steelci-publish.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            var descriptor = (int)file.SafeFileHandle.DangerousGetHandle();
            // Blocks a pool thread until the holder is done; a publish holds it for a build's length, not for ever.
            var result = await Task.Run(() => flock(descriptor, LockExclusive), cancellationToken);
            if (result != 0)
                throw new IOException($"could not lock {file.Name}: errno {Marshal.GetLastPInvokeError()}");
            return new PublishLock(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose() => _file.Dispose(); // closing the descriptor releases the flock

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);
}
