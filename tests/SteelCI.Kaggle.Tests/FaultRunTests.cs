using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Fake;
using SteelCI.Ports;
using Xunit.Abstractions;

namespace SteelCI.Kaggle.Tests;

/// <summary>
/// Faults on a first run that really uploads, with production's client and backend options (only the base URL and the
/// workspace are set; production's retries, delays, grace and push checks cost nothing on fake time) and production's
/// powers only: a crash is recovered through the real backend's <see cref="IAttemptRecovery"/> against the fake.
/// </summary>
public sealed class FaultRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Cut_uploads_create_dataset_failures_a_lost_push_answer_and_a_crash_after_the_push_leave_one_version_per_attempt_and_the_rerun_uploads_nothing()
    {
        await using var h = await Harness.StartAsync(o => o with { NotVisibleFor = TimeSpan.FromSeconds(30) });
        var production = new KaggleClientOptions { BaseUrl = h.Server.BaseUrl };
        KaggleBackend Process() => new([h.Alice(production), h.Bob(production)],
            new KaggleBackendOptions { Workspace = Path.Combine(h.Workspace, "kaggle-ws") }, h.Time, h.Log);
        KernelPackage Package(string slug) => BackendTests.Package(h.Workspace, slug);
        var faults = h.Server.Faults;

        // Attempt 1 uploads the trainer bundle and the data: two PUTs cut halfway, CreateDataset answered 500 once
        // and once handled but never answered.
        faults.CutUploads = 2;
        faults.Next(FakeFault.ServerError, "CreateDataset");
        faults.Next(FakeFault.ResetAfter, "CreateDataset");
        var first = Process();
        var handle1 = await h.Drive(first.SubmitAsync(Package("fault-train-aaaaaaaa-a1-00001"), CancellationToken.None));
        var firstBytes = h.Server.State.BytesReceived;

        // Attempt 2: SaveKernel acts but its answer is lost (the new kernel 403s for 30 s, as on Kaggle).
        faults.Next(FakeFault.ResetAfter, "SaveKernel");
        var handle2 = await h.Drive(first.SubmitAsync(Package("fault-train-aaaaaaaa-a2-00002"), CancellationToken.None));

        // Attempt 3: pushed, then the process dies before saving the handle; a new process finds the kernel.
        await h.Drive(first.SubmitAsync(Package("fault-train-aaaaaaaa-a3-00003"), CancellationToken.None));
        var second = Process();
        var handle3 = await h.Drive(((IAttemptRecovery)second).FindAsync("fault-train-aaaaaaaa-a3-00003", null, CancellationToken.None));
        Assert.NotNull(handle3);

        foreach (var handle in new[] { handle1, handle2, handle3! })
            Assert.Equal(AttemptState.Complete, (await BackendTests.RunToEnd(h, second, handle)).State);

        var injected = faults.InjectedByKind;
        Assert.Equal(new Dictionary<string, int>
        {
            ["cut upload"] = 2, ["ServerError CreateDataset"] = 1, ["ResetAfter CreateDataset"] = 1, ["ResetAfter SaveKernel"] = 1,
        }, injected);
        var kernels = h.Server.State.KernelRefs("alice").Concat(h.Server.State.KernelRefs("bob")).ToList();
        Assert.Equal(3, kernels.Count);
        foreach (var kernel in kernels)
            Assert.Equal(1, h.Server.State.VersionCount(kernel.Split('/')[0], kernel.Split('/')[1]));
        Assert.Equal(3, h.Server.State.Calls("SaveKernel"));

        // The rerun: a new process, new attempts of the same trainer and inputs.
        var rerun = Process();
        var received = h.Server.State.BytesReceived;
        foreach (var slug in new[] { "fault-train-aaaaaaaa-a4-00004", "fault-train-aaaaaaaa-a5-00005" })
        {
            var handle = await h.Drive(rerun.SubmitAsync(Package(slug), CancellationToken.None));
            Assert.Equal(AttemptState.Complete, (await BackendTests.RunToEnd(h, rerun, handle)).State);
            Assert.Equal(1, h.Server.State.VersionCount(handle.Data["account"], slug));
        }
        Assert.Equal(0, rerun.BytesUploaded);
        Assert.Equal(received, h.Server.State.BytesReceived);

        output.WriteLine($"kernel versions per attempt: {string.Join(", ", kernels.Select(k => $"{k} {h.Server.State.VersionCount(k.Split('/')[0], k.Split('/')[1])}"))}");
        output.WriteLine($"faults injected: {string.Join(", ", injected.Select(i => $"{i.Key} {i.Value}"))}");
        output.WriteLine($"bytes received on the first run: {firstBytes:N0}; re-uploaded on the rerun: {rerun.BytesUploaded:N0}");
    }
}
