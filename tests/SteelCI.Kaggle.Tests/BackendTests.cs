using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Fake;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Tests;

public sealed class BackendTests
{
    private const string Script = "import json\nMOUNT_ALIASES = {}\nprint('scripted')\n";

    internal static (string Bundle, string Data) Sources(string workspace)
    {
        var bundle = Directory.CreateDirectory(Path.Combine(workspace, "sources", "bundle")).FullName;
        File.WriteAllText(Path.Combine(bundle, "steelci-bundle.json"), "{\"hash\":\"abc\"}");
        Directory.CreateDirectory(Path.Combine(bundle, "runtimes", "linux-x64"));
        File.WriteAllBytes(Path.Combine(bundle, "runtimes", "linux-x64", "libnative.so"), RandomBytes(100_000)); // incompressible, as a native library nearly is
        var data = Directory.CreateDirectory(Path.Combine(workspace, "sources", "images")).FullName;
        File.WriteAllText(Path.Combine(data, "train.csv"), "ImageId,ClassId\n1,2\n");
        return (bundle, data);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(5).NextBytes(bytes);
        return bytes;
    }

    internal static KernelPackage Package(string workspace, string slug, string accelerator = "gpu", string script = Script, TimeSpan? session = null)
    {
        var (bundle, data) = Sources(workspace);
        var directory = Directory.CreateDirectory(Path.Combine(workspace, "packages", slug)).FullName;
        File.WriteAllText(Path.Combine(directory, "steelci_launcher.py"), script);
        return new KernelPackage(slug, directory, "steelci_launcher.py",
            [new KernelSource("steelci-trainer-0123456789ab", bundle, new string('a', 64)), new KernelSource("images", data, new string('b', 64))],
            accelerator, session ?? TimeSpan.FromHours(1));
    }

    private static KaggleBackend Backend(Harness h, params KaggleClient[] clients) => new(clients, new KaggleBackendOptions
    {
        Workspace = h.Workspace,
        DatasetPollInterval = TimeSpan.FromSeconds(5),
        PushCheckInterval = TimeSpan.FromSeconds(5),
        NotVisibleGrace = TimeSpan.FromMinutes(5),
    }, h.Time, h.Log);

    internal static async Task<AttemptStatus> RunToEnd(Harness h, IComputeBackend backend, AttemptHandle handle, TimeSpan? step = null)
    {
        for (var i = 0; i < 500; i++)
        {
            var status = await h.Drive(backend.PollAsync(handle, CancellationToken.None), TimeSpan.FromMilliseconds(500));
            if (status.IsFinished)
                return status;
            h.Time.Advance(step ?? TimeSpan.FromMinutes(1));
        }
        throw new TimeoutException("the attempt never finished");
    }

    [Fact]
    public async Task An_attempt_runs_through_datasets_push_poll_and_collect_and_a_second_uploads_nothing()
    {
        await using var h = await Harness.StartAsync();
        var backend = Backend(h, h.Alice());
        Assert.Equal(2, backend.Slots);
        var handle = await h.Drive(backend.SubmitAsync(Package(h.Workspace, "sev-seg-aaaaaaaa-a1-00001"), CancellationToken.None));
        Assert.Equal("alice", handle.Data["account"]);
        Assert.Equal("1", handle.Data["version"]);
        Assert.Equal(2, h.Server.State.DatasetRefs("alice").Count);
        Assert.Contains("runtimes/linux-x64/libnative.so", h.Server.State.DatasetFiles("alice", DatasetPublisher.SlugFor(Package(h.Workspace, "x").Sources[0])));
        var firstBytes = backend.BytesUploaded;
        Assert.True(firstBytes > 100_000);

        var folder = Path.Combine(h.Workspace, "kaggle", "kernels", "alice", "sev-seg-aaaaaaaa-a1-00001");
        var metadata = File.ReadAllText(Path.Combine(folder, "kernel-metadata.json"));
        Assert.Contains("\"id\": \"alice/sev-seg-aaaaaaaa-a1-00001\"", metadata);
        Assert.Contains("alice/steelci-images-", metadata);
        Assert.Contains("\"enable_internet\": \"false\"", metadata);
        var launcher = File.ReadAllText(Path.Combine(folder, "steelci_launcher.py"));
        Assert.Equal(Script, launcher); // a plain script (no kernel spec) is pushed as written
        foreach (var file in Directory.EnumerateFiles(folder))
            Assert.DoesNotContain(Harness.AliceToken, File.ReadAllText(file));

        Assert.Equal(AttemptState.Complete, (await RunToEnd(h, backend, handle)).State);
        var output = await h.Drive(backend.CollectAsync(handle, CancellationToken.None));
        Assert.Equal("hello from the fake kernel\n", output.Log);
        Assert.True(File.Exists(Path.Combine(output.Directory, "result.txt")));

        var second = await h.Drive(backend.SubmitAsync(Package(h.Workspace, "sev-seg-aaaaaaaa-a2-00002"), CancellationToken.None));
        Assert.Equal(firstBytes, backend.BytesUploaded); // both datasets reused: zero new bytes
        Assert.Equal("alice", second.Data["account"]);

        // A fresh backend (a restarted runner) still finds alice's datasets and uploads nothing.
        var restarted = Backend(h, h.Alice());
        await h.Drive(restarted.SubmitAsync(Package(h.Workspace, "sev-seg-aaaaaaaa-a3-00003"), CancellationToken.None));
        Assert.Equal(0, restarted.BytesUploaded);
        Assert.Contains(h.Log.Lines, l => l.Contains("reusing dataset alice/steelci-images-"));
    }

    [Fact]
    public async Task Attempts_spread_over_accounts_within_their_session_caps()
    {
        await using var h = await Harness.StartAsync();
        var backend = Backend(h, h.Alice(), h.Bob());
        var accounts = new List<string>();
        for (var i = 1; i <= 4; i++)
            accounts.Add((await h.Drive(backend.SubmitAsync(Package(h.Workspace, $"cap-test-run-{i}"), CancellationToken.None))).Data["account"]);
        Assert.Equal(["alice", "alice", "bob", "bob"], accounts);
        Assert.Equal(4, backend.Slots);
        var full = await Assert.ThrowsAsync<KaggleSessionLimitException>(() => h.Drive(backend.SubmitAsync(Package(h.Workspace, "cap-test-run-5"), CancellationToken.None)));
        Assert.Contains("no Kaggle account can take cap-test-run-5", full.Message);
    }

    [Fact]
    public async Task Kaggles_own_session_cap_moves_the_attempt_to_the_next_account()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        foreach (var slug in new[] { "elsewhere-1", "elsewhere-2" }) // sessions this runner does not know about
            await alice.SaveKernelAsync(new SaveKernelRequest { Slug = $"alice/{slug}", NewTitle = slug, Text = "x", MachineShape = "NvidiaTeslaT4" }, CancellationToken.None);
        var backend = Backend(h, alice, h.Bob());
        var handle = await h.Drive(backend.SubmitAsync(Package(h.Workspace, "moved-over-1"), CancellationToken.None));
        Assert.Equal("bob", handle.Data["account"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // Kaggle's other form of the cap: 400 "Bad Request: Maximum batch GPU session count of 2 reached."
    public async Task A_push_refused_because_the_owner_uses_the_sessions_is_capacity_that_names_the_owners_sessions(bool asBadRequest)
    {
        await using var h = await Harness.StartAsync(o => o with { SessionCapAsBadRequest = asBadRequest });
        var alice = h.Alice();
        await alice.SaveKernelAsync(new SaveKernelRequest { Slug = "alice/own-notebook", NewTitle = "own-notebook", Text = "x", MachineShape = "NvidiaTeslaT4" }, CancellationToken.None);
        var backend = Backend(h, alice);
        var ours = await h.Drive(backend.SubmitAsync(Package(h.Workspace, "owner-cap-1"), CancellationToken.None));
        Assert.Equal("alice", ours.Data["account"]); // one session the owner's, one SteelCI's: Kaggle's cap of 2 is reached

        var refused = await Assert.ThrowsAsync<KaggleSessionLimitException>(() =>
            h.Drive(backend.SubmitAsync(Package(h.Workspace, "owner-cap-2") with { Account = "alice" }, CancellationToken.None)));

        Assert.IsAssignableFrom<ICapacityRefusal>(refused);
        Assert.Equal(new Dictionary<string, int> { ["alice"] = 1 }, refused.OwnerSessions);
        Assert.Contains("account alice: its owner is using 1 of its 2 sessions", refused.Message);
        Assert.Equal(0, h.Server.State.VersionCount("alice", "owner-cap-2"));
    }

    [Fact]
    public async Task A_refusal_for_steelcis_own_sessions_names_no_owner()
    {
        await using var h = await Harness.StartAsync();
        var backend = Backend(h, h.Alice());
        for (var i = 1; i <= 2; i++)
            await h.Drive(backend.SubmitAsync(Package(h.Workspace, $"own-cap-{i}"), CancellationToken.None));

        var refused = await Assert.ThrowsAsync<KaggleSessionLimitException>(() => h.Drive(backend.SubmitAsync(Package(h.Workspace, "own-cap-3"), CancellationToken.None)));

        Assert.Empty(refused.OwnerSessions);
    }

    [Fact]
    public async Task A_push_lost_in_transit_is_found_instead_of_repeated()
    {
        await using var h = await Harness.StartAsync(o => o with { NotVisibleFor = TimeSpan.FromSeconds(12) });
        var backend = Backend(h, h.Alice());
        h.Server.Faults.Next(FakeFault.ResetAfter, "SaveKernel");
        var handle = await h.Drive(backend.SubmitAsync(Package(h.Workspace, "lost-push-1"), CancellationToken.None));
        Assert.Equal("1", handle.Data["version"]);
        Assert.Equal(1, h.Server.State.Calls("SaveKernel"));
        Assert.Equal(1, h.Server.State.VersionCount("alice", "lost-push-1"));
        Assert.Equal(AttemptState.Complete, (await RunToEnd(h, backend, handle)).State);
    }

    [Fact]
    public async Task A_push_that_never_arrived_is_sent_again_once()
    {
        await using var h = await Harness.StartAsync();
        var backend = Backend(h, h.Alice());
        h.Server.Faults.Next(FakeFault.ServerError, "SaveKernel"); // refused before any effect: the kernel does not exist
        var handle = await h.Drive(backend.SubmitAsync(Package(h.Workspace, "retry-push-1"), CancellationToken.None));
        Assert.Equal(2, h.Server.State.Calls("SaveKernel"));
        Assert.Equal(1, h.Server.State.VersionCount("alice", "retry-push-1"));
        Assert.Equal("1", handle.Data["version"]);
    }

    [Fact]
    public async Task A_restarted_runner_polls_and_collects_from_the_handle_alone()
    {
        await using var h = await Harness.StartAsync();
        var handle = await h.Drive(Backend(h, h.Alice()).SubmitAsync(Package(h.Workspace, "restart-me-1"), CancellationToken.None));
        var revived = new AttemptHandle(handle.Slug, new Dictionary<string, string>(handle.Data));
        var restarted = Backend(h, h.Alice());
        Assert.Equal(AttemptState.Complete, (await RunToEnd(h, restarted, revived)).State);
        var output = await h.Drive(restarted.CollectAsync(revived, CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(output.Directory, "result.txt")));
        var gone = Backend(h, h.Bob());
        Assert.Equal(AttemptState.Lost, (await gone.PollAsync(revived, CancellationToken.None)).State);
    }

    [Fact]
    public async Task A_failed_kernel_reports_kaggles_failure_message()
    {
        await using var h = await Harness.StartAsync(o => o with
        {
            Runner = new ScriptedKernelRunner(o.Time, TimeSpan.FromMinutes(2), (_, _) => new ScriptedResult(false, ["Traceback ..."], "exit code 1")),
        });
        var backend = Backend(h, h.Alice());
        var handle = await h.Drive(backend.SubmitAsync(Package(h.Workspace, "fail-me-1"), CancellationToken.None));
        var status = await RunToEnd(h, backend, handle);
        Assert.Equal(AttemptState.Error, status.State);
        Assert.Equal("exit code 1", status.Detail);
    }

    [Fact]
    public async Task With_faults_on_a_fifth_of_requests_every_attempt_completes_once()
    {
        await using var h = await Harness.StartAsync(o => o with { NotVisibleFor = TimeSpan.FromSeconds(3) });
        h.Server.Faults.Seed(7);
        h.Server.Faults.Rate = 0.2;
        h.Server.Faults.TransferCutRate = 0.2;
        var backend = Backend(h, h.Alice(h.ClientOptions with { MaxRetries = 8 }), h.Bob(h.ClientOptions with { MaxRetries = 8 }));
        var handles = new List<AttemptHandle>();
        for (var i = 1; i <= 4; i++)
            handles.Add(await h.Drive(backend.SubmitAsync(Package(h.Workspace, $"faulty-run-{i}"), CancellationToken.None)));
        foreach (var handle in handles)
        {
            Assert.Equal(AttemptState.Complete, (await RunToEnd(h, backend, handle)).State);
            var output = await h.Drive(backend.CollectAsync(handle, CancellationToken.None));
            Assert.True(File.Exists(Path.Combine(output.Directory, "result.txt")));
            Assert.Equal(1, h.Server.State.VersionCount(handle.Data["owner"], handle.Data["kernel"]));
        }
        Assert.True(h.Server.Faults.Injected >= 5, $"only {h.Server.Faults.Injected} faults were injected");
        Assert.Equal(2, h.Server.State.DatasetRefs("alice").Count);
        Assert.Equal(2, h.Server.State.DatasetRefs("bob").Count);
    }

    [Fact]
    public async Task Cancel_deletes_the_kernel_through_the_port_and_a_kernel_already_gone_is_no_error()
    {
        await using var h = await Harness.StartAsync();
        IComputeBackend backend = Backend(h, h.Alice());
        var handle = await h.Drive(backend.SubmitAsync(Package(h.Workspace, "sev-cancel-aaaaaaaa-a1-00001"), CancellationToken.None));

        var done = await h.Drive(backend.CancelAsync(handle, CancellationToken.None));

        Assert.Equal(1, h.Server.State.Calls("DeleteKernel"));
        Assert.StartsWith("deleted kernel alice/sev-cancel-aaaaaaaa-a1-00001 on account alice", done);
        Assert.Contains("GPU time already used is not refunded", done);
        Assert.Equal("kernel alice/sev-cancel-aaaaaaaa-a1-00001 was already gone on Kaggle",
            await h.Drive(backend.CancelAsync(handle, CancellationToken.None)));
        Assert.Equal(2, h.Server.State.Calls("DeleteKernel"));
    }

    [Fact]
    public async Task Cancel_of_an_attempt_on_an_account_not_configured_says_how_to_reach_it()
    {
        await using var h = await Harness.StartAsync();
        IComputeBackend backend = Backend(h, h.Alice());
        var handle = new AttemptHandle("sev-x-a1", new Dictionary<string, string> { ["account"] = "zed", ["owner"] = "zed", ["kernel"] = "sev-x-a1" });

        var error = await Assert.ThrowsAsync<KaggleException>(() => backend.CancelAsync(handle, CancellationToken.None));

        Assert.Contains("account 'zed', which is not configured; add --account zed", error.Message);
        Assert.Equal(0, h.Server.State.Calls("DeleteKernel"));
    }
}
