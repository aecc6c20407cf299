using SteelCI.Kernels;
using SteelCI.Testing;

namespace SteelCI.Tests.Kernels;

public sealed class PublishLockTests
{
    [Fact]
    public async Task A_second_publisher_waits_for_the_first_instead_of_failing_and_then_gets_the_lock()
    {
        using var dir = new TempDirectory("lock");
        var first = await PublishLock.AcquireAsync(dir.Path, CancellationToken.None);
        var second = PublishLock.AcquireAsync(dir.Path, CancellationToken.None); // its own descriptor, as another process's

        Assert.False(second.IsCompleted, "the second publisher got the lock while the first held it");
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromMinutes(1))).Dispose(); // a bound on a hang, not a timing assertion
    }
}
