using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Fake;

namespace SteelCI.Kaggle.Tests;

public sealed class ClientKernelTests
{
    private static SaveKernelRequest Push(string slug, bool gpu = true, int? timeout = null) => new()
    {
        Slug = $"alice/{slug}",
        NewTitle = slug,
        Text = "print('hi')\n",
        Language = "python",
        KernelType = "script",
        IsPrivate = true,
        EnableInternet = false,
        MachineShape = gpu ? "NvidiaTeslaT4" : null,
        SessionTimeoutSeconds = timeout,
    };

    [Fact]
    public async Task Token_introspection_finds_the_username()
    {
        await using var h = await Harness.StartAsync();
        Assert.Equal("alice", await h.Alice().GetUsernameAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Push_then_status_walks_queued_running_complete_on_the_fake_clock()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        var pushed = await alice.SaveKernelAsync(Push("train-run-1"), CancellationToken.None);
        Assert.Equal("/code/alice/train-run-1", pushed.Ref); // the real form (kaggle-api.md §8)
        Assert.Equal(new KernelRef("alice", "train-run-1"), pushed.Kernel);
        Assert.Equal(1, pushed.VersionNumber);
        Assert.True(pushed.KernelId > 0);

        // QUEUED is the proto default: the fake leaves the field out and the client must read it as QUEUED.
        Assert.Equal(KernelWorkerStatus.Queued, (await alice.GetKernelSessionStatusAsync("alice", "train-run-1", 1, CancellationToken.None)).Status);
        h.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(KernelWorkerStatus.Running, (await alice.GetKernelSessionStatusAsync("alice", "train-run-1", 1, CancellationToken.None)).Status);
        h.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(KernelWorkerStatus.Complete, (await alice.GetKernelSessionStatusAsync("alice", "train-run-1", 1, CancellationToken.None)).Status);

        var second = await alice.SaveKernelAsync(Push("train-run-1"), CancellationToken.None);
        Assert.Equal(2, second.VersionNumber);
        Assert.Equal(2, (await alice.GetKernelAsync("alice", "train-run-1", CancellationToken.None)).Metadata!.CurrentVersionNumber);
    }

    [Fact]
    public async Task Session_timeout_ends_a_version_in_error()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        await alice.SaveKernelAsync(Push("short-run-1", timeout: 60), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(6));
        await alice.GetKernelSessionStatusAsync("alice", "short-run-1", 1, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(61));
        var status = await alice.GetKernelSessionStatusAsync("alice", "short-run-1", 1, CancellationToken.None);
        Assert.Equal(KernelWorkerStatus.Error, status.Status);
        Assert.Contains("timeout", status.FailureMessage);
    }

    [Fact]
    public async Task A_third_gpu_session_is_refused_with_200_and_no_version_is_created()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        await alice.SaveKernelAsync(Push("gpu-run-1"), CancellationToken.None);
        await alice.SaveKernelAsync(Push("gpu-run-2"), CancellationToken.None);
        var error = await Assert.ThrowsAsync<KaggleSessionLimitException>(() => alice.SaveKernelAsync(Push("gpu-run-3"), CancellationToken.None));
        Assert.Contains("Maximum batch GPU session count of 2 reached.", error.Message);
        Assert.Equal(0, h.Server.State.VersionCount("alice", "gpu-run-3"));
        await alice.SaveKernelAsync(Push("cpu-run-1", gpu: false), CancellationToken.None); // CPU sessions have their own cap
    }

    [Fact]
    public async Task Unknown_kernels_are_403_not_found_and_say_what_it_may_mean()
    {
        await using var h = await Harness.StartAsync();
        var error = await Assert.ThrowsAsync<KaggleNotFoundException>(() => h.Alice().GetKernelSessionStatusAsync("alice", "nope-nope", null, CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("account alice", error.Message);
        Assert.Contains("created moments ago", error.Message);
    }

    [Fact]
    public async Task Someone_elses_private_kernel_is_invisible()
    {
        await using var h = await Harness.StartAsync();
        await h.Alice().SaveKernelAsync(Push("secret-run"), CancellationToken.None);
        await Assert.ThrowsAsync<KaggleNotFoundException>(() => h.Bob().GetKernelAsync("alice", "secret-run", CancellationToken.None));
        var pushToAlice = Push("secret-run") with { Slug = "alice/secret-run" };
        var refused = await Assert.ThrowsAsync<KaggleRejectedException>(() => h.Bob().SaveKernelAsync(pushToAlice, CancellationToken.None));
        Assert.Contains("Kernel not found", refused.Message);
    }

    [Fact]
    public async Task Output_is_listed_over_every_page_with_its_log()
    {
        await using var h = await Harness.StartAsync(o => o with
        {
            Runner = new ScriptedKernelRunner(o.Time, TimeSpan.FromMinutes(1), (request, output) =>
            {
                for (var i = 0; i < 45; i++)
                    File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(output, "sub")).FullName, $"f{i:00}.txt"), $"{i}");
                return new ScriptedResult(true, ["line one", "STEELCI-END status=complete manifest-sha256=none"]);
            }),
        });
        var alice = h.Alice();
        await alice.SaveKernelAsync(Push("paged-run"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(6));
        await alice.GetKernelSessionStatusAsync("alice", "paged-run", 1, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(KernelWorkerStatus.Complete, (await alice.GetKernelSessionStatusAsync("alice", "paged-run", 1, CancellationToken.None)).Status);

        var output = await alice.ListKernelSessionOutputAsync("alice", "paged-run", 1, CancellationToken.None, pageSize: 20);
        Assert.Equal(45, output.Files.Count);
        Assert.Equal(45, output.Files.Select(f => f.FileName).Distinct().Count());
        Assert.All(output.Files, f => Assert.StartsWith("sub/", f.FileName));
        Assert.Equal(3, h.Server.State.Calls("ListKernelSessionOutput"));
        Assert.Equal("line one\nSTEELCI-END status=complete manifest-sha256=none\n", Backend.KernelLog.ToText(output.Log));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => alice.ListKernelSessionOutputAsync("alice", "paged-run", 1, CancellationToken.None, pageSize: 501));
    }

    [Fact]
    public async Task List_and_delete_kernels()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        await alice.SaveKernelAsync(Push("list-me-1", gpu: false), CancellationToken.None);
        await alice.SaveKernelAsync(Push("list-me-2", gpu: false), CancellationToken.None);
        var listed = await alice.ListKernelsAsync(new ListKernelsRequest { Group = "PROFILE", Search = "list-me", PageSize = 1 }, CancellationToken.None);
        Assert.Single(listed.Kernels!);
        Assert.NotNull(listed.NextPageToken);
        await alice.DeleteKernelAsync("alice", "list-me-1", CancellationToken.None);
        Assert.Equal(["alice/list-me-2"], h.Server.State.KernelRefs("alice"));
        await Assert.ThrowsAsync<KaggleNotFoundException>(() => alice.DeleteKernelAsync("alice", "list-me-1", CancellationToken.None));
    }

    [Fact]
    public async Task Quota_counts_gpu_time_and_refreshes_on_saturday()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        await alice.SaveKernelAsync(Push("quota-run"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await alice.GetKernelSessionStatusAsync("alice", "quota-run", 1, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await alice.GetKernelSessionStatusAsync("alice", "quota-run", 1, CancellationToken.None);
        var quota = await alice.GetAcceleratorQuotaStatisticsAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.FromHours(30), quota.GpuQuota!.TotalTimeAllowed);
        Assert.Equal(TimeSpan.FromMinutes(10), quota.GpuQuota.TimeUsed);
        Assert.Equal(TimeSpan.FromHours(30) - TimeSpan.FromMinutes(10), quota.GpuQuota.Remaining);
        Assert.Equal(DayOfWeek.Saturday, quota.QuotaRefreshTime!.Value.UtcDateTime.DayOfWeek);
        Assert.Equal(TimeSpan.Zero, quota.QuotaRefreshTime.Value.UtcDateTime.TimeOfDay);
    }
}
