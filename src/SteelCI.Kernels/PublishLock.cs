using System.Runtime.InteropServices;

namespace SteelCI.Kernels;

/// <summary>
/// One publish of a trainer project at a time on this machine. Publishes of the same project share its obj/
/// folders (restore state, intermediate files), so two at once — two runners, two test projects — race and can
/// leave a half-written build that the next one trusts. The lock is an flock on a file beside them: the kernel
/// releases it when the holder's descriptor is closed or its process dies (even by kill -9), so it never goes stale.
/// The file is opened with libc's open, not a FileStream: .NET takes a non-blocking flock of its own when it opens a
/// file, so a second process would fail at once instead of waiting.
/// </summary>
public sealed class PublishLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int ReadWrite = 2, Create = 0x40, CloseOnExec = 0x80000; // Linux open(2) flags
    private int _descriptor;

    private PublishLock(int descriptor) => _descriptor = descriptor;

    /// <summary>Waits until no other process publishes the project whose obj/ folder is <paramref name="objDirectory"/>.</summary>
    public static async Task<PublishLock> AcquireAsync(string objDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(objDirectory);
        var path = Path.Combine(objDirectory, "steelci-publish.lock");
        var descriptor = open(path, ReadWrite | Create | CloseOnExec, Convert.ToInt32("644", 8));
        if (descriptor < 0)
            throw new IOException($"could not open {path}: errno {Marshal.GetLastPInvokeError()}");
        var held = new PublishLock(descriptor);
        // Blocks a pool thread until the holder is done; a publish holds it for a build's length, not for ever.
        var result = await Task.Run(() => flock(descriptor, LockExclusive), cancellationToken);
        if (result != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            held.Dispose();
            throw new IOException($"could not lock {path}: errno {error}");
        }
        return held;
    }

    public void Dispose() // closing the descriptor releases the flock
    {
        var descriptor = Interlocked.Exchange(ref _descriptor, -1);
        if (descriptor >= 0)
            close(descriptor);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
