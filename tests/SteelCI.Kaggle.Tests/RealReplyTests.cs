using SteelCI.Contracts;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Fake;
using SteelCI.Ports;

namespace SteelCI.Kaggle.Tests;

/// <summary>
/// One test per reply form of ../shared/docs/kaggle-api.md §8 ("Corrections and new evidence") that SteelCI receives,
/// each replaying the cited reply over real HTTP through the real client (<see cref="FakeFaults.Reply"/> sends the body
/// verbatim), and where the fake now answers in that form, the same path through the backend against the fake.
/// </summary>
public sealed class RealReplyTests
{
    private static SaveKernelRequest Push(string slug, bool gpu = true) => new()
    {
        Slug = $"alice/{slug}", NewTitle = slug, Text = "print('hi')\n", Language = "python", KernelType = "script",
        IsPrivate = true, EnableInternet = false, MachineShape = gpu ? "NvidiaTeslaT4" : null,
    };

    private static KaggleBackend Backend(Harness h, params KaggleClient[] clients) => new(clients, new KaggleBackendOptions
    {
        Workspace = h.Workspace,
        DatasetPollInterval = TimeSpan.FromSeconds(5),
        PushCheckInterval = TimeSpan.FromSeconds(5),
        NotVisibleGrace = TimeSpan.FromMinutes(5),
    }, h.Time, h.Log);

    // ---- §8 "SaveKernel reply ref": "/code/{owner}/{slug}", a path, with kernelId ----

    /// <summary>§8: public push logs show <c>{"ref": "/code/&lt;user&gt;/&lt;slug&gt;", "url": …, "versionNumber": 1, "error": "", "invalidTags": [], …}</c>.</summary>
    [Theory]
    [InlineData("/code/alice/replayed-run")] // the real form (§8)
    [InlineData("alice/replayed-run")]       // the form of older docs and of the fake before issue 11
    [InlineData("https://www.kaggle.com/code/alice/replayed-run")]
    public async Task Section8_save_kernel_ref_as_a_code_path_keeps_the_owner_we_pushed_as_and_the_kernel_id(string reference)
    {
        await using var h = await Harness.StartAsync();
        h.Server.Faults.Reply("SaveKernel", 200, $$"""
            {"ref": "{{reference}}", "url": "https://www.kaggle.com/code/alice/replayed-run", "versionNumber": 1, "error": "",
             "invalidTags": [], "invalidDatasetSources": [], "invalidCompetitionSources": [], "invalidKernelSources": [],
             "invalidModelSources": [], "kernelId": 135302999}
            """);
        var reply = await h.Alice().SaveKernelAsync(Push("replayed-run"), CancellationToken.None);
        Assert.Equal(new KernelRef("alice", "replayed-run"), reply.Kernel); // not ("", "code"): the owner is the one we pushed as
        Assert.Equal(135302999, reply.KernelId);
        Assert.Equal(1, reply.VersionNumber);
    }

    [Fact]
    public async Task Section8_the_fake_answers_code_path_refs_and_the_backend_polls_and_collects_as_the_right_owner()
    {
        await using var h = await Harness.StartAsync();
        var alice = h.Alice();
        var raw = await alice.SaveKernelAsync(Push("fake-ref-run"), CancellationToken.None);
        Assert.Equal("/code/alice/fake-ref-run", raw.Ref);
        Assert.NotNull(raw.InvalidTags); // the fake writes the lists (empty) and error "" as the real reply does
        Assert.Empty(raw.InvalidTags);
        Assert.Equal("", raw.Error);

        // Through the backend: the handle names owner alice (splitting the ref gave "" and every later call 403'd).
        var backend = Backend(h, h.Alice());
        var handle = await h.Drive(backend.SubmitAsync(BackendTests.Package(h.Workspace, "owner-from-ref-1"), CancellationToken.None));
        Assert.Equal("alice", handle.Data["owner"]);
        Assert.Equal("owner-from-ref-1", handle.Data["kernel"]);
        Assert.Equal(AttemptState.Complete, (await BackendTests.RunToEnd(h, backend, handle)).State);
        var output = await h.Drive(backend.CollectAsync(handle, CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(output.Directory, "result.txt")));
    }

    [Fact]
    public async Task A_ref_that_is_neither_form_is_a_clear_error()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Faults.Reply("SaveKernel", 200, """{"ref": "/code/", "versionNumber": 1, "error": ""}""");
        var error = await Assert.ThrowsAsync<KaggleException>(() => h.Alice().SaveKernelAsync(Push("odd-ref-run"), CancellationToken.None));
        Assert.Contains("neither /code/owner/slug nor owner/slug", error.Message);
    }

    // ---- §8 "session cap": 200 with error (CLI) and HTTP 400 "Bad Request: …" (kaggle-cli#185) ----

    [Theory]
    // §8, CLI kernels_push_cli: HTTP 200 with error.
    [InlineData(200, """{"ref": "", "url": "", "error": "Maximum batch GPU session count of 2 reached.", "invalidTags": []}""")]
    // §8, kaggle-cli#185 / scripts calling the API: HTTP 400 "Bad Request: …". The envelope around the text is [G]: both
    // the SDK's {"code","message"} and Google's {"error":{…}} are read.
    [InlineData(400, """{"code": 400, "message": "Bad Request: Maximum batch GPU session count of 2 reached."}""")]
    [InlineData(400, """{"error": {"code": 400, "message": "Bad Request: Maximum batch GPU session count of 2 reached.", "status": "FAILED_PRECONDITION"}}""")]
    public async Task Section8_the_session_cap_in_either_form_is_capacity_not_a_bad_request(int status, string body)
    {
        await using var h = await Harness.StartAsync();
        h.Server.Faults.Reply("SaveKernel", status, body);
        var error = await Assert.ThrowsAsync<KaggleSessionLimitException>(() => h.Alice().SaveKernelAsync(Push("capped-run"), CancellationToken.None));
        Assert.Contains("Maximum batch GPU session count of 2 reached.", error.Message);
        Assert.Contains("use another account", error.Message);
        Assert.Equal(1, h.Server.State.Calls("SaveKernel")); // not retried on the same account
    }

    [Fact]
    public async Task Section8_a_400_session_cap_moves_the_attempt_to_the_next_account()
    {
        await using var h = await Harness.StartAsync(o => o with { SessionCapAsBadRequest = true });
        var alice = h.Alice();
        foreach (var slug in new[] { "elsewhere-1", "elsewhere-2" }) // sessions this runner does not know about
            await alice.SaveKernelAsync(Push(slug), CancellationToken.None);
        var refused = await Assert.ThrowsAsync<KaggleSessionLimitException>(() => alice.SaveKernelAsync(Push("elsewhere-3"), CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.Status);

        var handle = await h.Drive(Backend(h, alice, h.Bob()).SubmitAsync(BackendTests.Package(h.Workspace, "moved-on-400"), CancellationToken.None));
        Assert.Equal("bob", handle.Data["account"]);
        Assert.Equal(0, h.Server.State.VersionCount("alice", "moved-on-400"));
    }

    // ---- §8 "invalid*Sources": warnings; the version is created and runs without those inputs ----

    [Fact]
    public async Task Section8_all_four_invalid_source_lists_are_read_and_each_names_what_to_do()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Faults.Reply("SaveKernel", 200, """
            {"ref": "/code/alice/inputs-run", "url": "https://www.kaggle.com/code/alice/inputs-run", "versionNumber": 1, "error": "",
             "invalidTags": [], "invalidDatasetSources": ["alice/steelci-images-0123456789abcdef"],
             "invalidCompetitionSources": ["severstal-steel-defect-detection"], "invalidKernelSources": ["bob/private-notebook"],
             "invalidModelSources": ["google/bert/pyTorch/base"], "kernelId": 135303000}
            """);
        var error = await Assert.ThrowsAsync<KaggleInvalidSourcesException>(() => h.Alice().SaveKernelAsync(Push("inputs-run"), CancellationToken.None));
        Assert.Equal(new KernelRef("alice", "inputs-run"), error.Kernel);
        Assert.Equal(1, error.Version);
        Assert.Equal([SourceKind.Dataset, SourceKind.Competition, SourceKind.Kernel, SourceKind.Model], error.Sources.Select(s => s.Kind));
        Assert.Contains("dataset alice/steelci-images-0123456789abcdef: check the dataset slug", error.Message);
        Assert.Contains("competition severstal-steel-defect-detection: accept the competition's rules at " +
            "https://www.kaggle.com/competitions/severstal-steel-defect-detection/rules", error.Message);
        Assert.Contains("kernel bob/private-notebook", error.Message);
        Assert.Contains("model google/bert/pyTorch/base", error.Message);
    }

    [Fact]
    public async Task Section8_a_competition_whose_rules_are_not_accepted_fails_the_attempt_by_name_and_the_created_kernel_is_deleted()
    {
        await using var h = await Harness.StartAsync();
        var backend = Backend(h, h.Alice());
        var handle = await h.Drive(backend.SubmitAsync(WithCompetition(h, "rules-not-accepted-1"), CancellationToken.None));

        Assert.Equal(1, h.Server.State.Calls("SaveKernel"));
        Assert.Equal(1, h.Server.State.Calls("DeleteKernel"));
        Assert.Equal(0, h.Server.State.VersionCount("alice", "rules-not-accepted-1")); // gone from the API
        Assert.Equal(1, h.Server.State.ActiveSessions("alice")); // but deleting does not stop its session (unknown on Kaggle)
        var status = await backend.PollAsync(handle, CancellationToken.None);
        Assert.Equal(AttemptState.Error, status.State);
        Assert.Contains("competition severstal-steel-defect-detection: accept the competition's rules at " +
            "https://www.kaggle.com/competitions/severstal-steel-defect-detection/rules", status.Detail);
        Assert.Contains("deleted again; Kaggle may still run its session", status.Detail);
        Assert.DoesNotContain("nothing of this attempt runs", status.Detail);
        var output = await backend.CollectAsync(handle, CancellationToken.None);
        Assert.Equal("failed", TrainerContract.FindEndMarker(output.Log)!.Value.Status); // the runner records the detail above
        Assert.Contains("accept the competition's rules", File.ReadAllText(Path.Combine(h.Workspace, "kaggle", "outputs", handle.Slug, "log.txt")));

        h.Server.State.AddCompetition("severstal-steel-defect-detection", Directory.CreateDirectory(Path.Combine(h.Workspace, "competition")).FullName);
        h.Server.State.AcceptCompetitionRules("alice", "severstal-steel-defect-detection");
        var accepted = await h.Drive(backend.SubmitAsync(WithCompetition(h, "rules-accepted-2"), CancellationToken.None));
        Assert.False(accepted.Data.ContainsKey(KaggleBackend.RefusedKey));
        Assert.Equal(AttemptState.Complete, (await BackendTests.RunToEnd(h, backend, accepted)).State);
    }

    private static KernelPackage WithCompetition(Harness h, string slug)
    {
        var package = BackendTests.Package(h.Workspace, slug);
        return package with
        {
            Sources = [.. package.Sources, new KernelSource("severstal", "", new string('c', 64)) { Competition = "severstal-steel-defect-detection" }],
        };
    }

    // ---- §8 "ListKernels": the CLI always sends group; private kernels are likely listed only with PROFILE ----

    [Fact]
    public async Task Section8_a_lost_push_answer_is_found_in_the_accounts_own_kernels_with_group_profile()
    {
        // GetKernel 403s for the whole check window, so only ListKernels can find the kernel, and the fake lists a
        // private kernel only with group PROFILE.
        await using var h = await Harness.StartAsync(o => o with { NotVisibleFor = TimeSpan.FromHours(1) });
        var alice = h.Alice();
        await alice.SaveKernelAsync(Push("private-listed", gpu: false), CancellationToken.None);
        var everyone = await alice.ListKernelsAsync(new ListKernelsRequest { Search = "private-listed" }, CancellationToken.None);
        Assert.Empty(everyone.Kernels ?? []);

        h.Server.Faults.Next(FakeFault.ResetAfter, "SaveKernel");
        var handle = await h.Drive(Backend(h, alice).SubmitAsync(BackendTests.Package(h.Workspace, "lost-answer-1"), CancellationToken.None));
        Assert.Equal("1", handle.Data["version"]);
        Assert.Equal(2, h.Server.State.Calls("SaveKernel")); // the setup push and the lost one: never pushed again
        Assert.Equal(1, h.Server.State.VersionCount("alice", "lost-answer-1"));
    }

    // ---- §8 "existing dataset slug": kagglehub treats 409 CONFLICT on create as "already exists" ----

    [Fact]
    public async Task Section8_a_409_on_create_dataset_means_it_exists_and_it_is_used()
    {
        await using var h = await Harness.StartAsync();
        var backend = Backend(h, h.Alice());
        var first = await h.Drive(backend.SubmitAsync(BackendTests.Package(h.Workspace, "dataset-409-1"), CancellationToken.None));
        var datasets = h.Server.State.DatasetRefs("alice");

        // Another runner's view: the first status check misses the trainer's dataset (a canned 404, as for a dataset
        // created a moment ago by another runner), so it uploads and creates it, and Kaggle answers 409 for the slug.
        h.Server.Faults.Reply("GetDatasetStatus", 404, """{"code": 404, "message": "Dataset not found"}""");
        var restarted = Backend(h, h.Alice());
        var second = await h.Drive(restarted.SubmitAsync(BackendTests.Package(h.Workspace, "dataset-409-2"), CancellationToken.None));

        Assert.Equal("alice", second.Data["owner"]);
        Assert.Equal(datasets, h.Server.State.DatasetRefs("alice"));
        Assert.Single(h.Log.Lines, l => l.Contains("already exists (409") && l.Contains("steelci-trainer-"));
        Assert.NotEqual(first.Data["kernel"], second.Data["kernel"]);
    }

    // ---- §8 "blob PUT": kagglehub allows 600 s per request ----

    [Fact]
    public void Section8_upload_put_timeouts_are_sized_to_the_bytes_and_never_under_kagglehubs_600_s()
    {
        var options = new KaggleClientOptions(); // RequestTimeout 100 s, floor 600 s, 256 KiB/s
        Assert.Equal(TimeSpan.FromSeconds(600), options.UploadTimeout(1_000));
        Assert.Equal(TimeSpan.FromSeconds(600), options.UploadTimeout(100L * 1024 * 1024)); // 400 s at 256 KiB/s: the floor
        Assert.Equal(TimeSpan.FromSeconds(2000), options.UploadTimeout(500L * 1024 * 1024)); // a 500 MiB runtime
        Assert.Equal(TimeSpan.FromSeconds(900), (options with { RequestTimeout = TimeSpan.FromSeconds(900) }).UploadTimeout(1));
    }

    // ---- §8 "quota": gpuQuota may be absent for accounts without GPU access ----

    [Fact]
    public async Task Section8_a_quota_reply_without_gpu_quota_is_no_gpu_access_not_zero_hours()
    {
        await using var h = await Harness.StartAsync();
        // kaggle-cli tests/unit/test_quota.py: a reply with only the TPU part.
        h.Server.Faults.Reply("GetAcceleratorQuotaStatistics", 200, """
            {"quotaRefreshTime": "2026-11-28T00:00:00Z", "tpuQuota": {"timeUsed": "0s", "totalTimeAllowed": "72000s"}}
            """);
        var quota = await h.Alice().GetAcceleratorQuotaStatisticsAsync(CancellationToken.None);
        Assert.Null(quota.GpuQuota);
        Assert.Equal(TimeSpan.FromHours(20), quota.TpuQuota!.TotalTimeAllowed);

        h.Server.State.RemoveGpuAccess("alice");
        var alone = await Assert.ThrowsAsync<KaggleSessionLimitException>(() =>
            h.Drive(Backend(h, h.Alice()).SubmitAsync(BackendTests.Package(h.Workspace, "no-gpu-1"), CancellationToken.None)));
        Assert.Contains("account alice: no GPU access on this account", alone.Message);
        Assert.DoesNotContain("0 h of GPU quota", alone.Message);
        var handle = await h.Drive(Backend(h, h.Alice(), h.Bob()).SubmitAsync(BackendTests.Package(h.Workspace, "no-gpu-2"), CancellationToken.None));
        Assert.Equal("bob", handle.Data["account"]);
    }
}
