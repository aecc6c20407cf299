using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Fake;

namespace SteelCI.Kaggle.Tests;

/// <summary>
/// The fake is as strict as the evidence in docs/kaggle.md: requests parsed as kagglesdk writes them, quota enforced,
/// deletes that leave sessions running, outputs without symlinks or empty folders, competitions mounted only with
/// their rules accepted.
/// </summary>
public sealed class StrictFakeTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(Harness h, string method, string json,
        string service = "kernels.KernelsApiService")
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(h.Server.BaseUrl, $"v1/{service}/{method}"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Harness.AliceToken);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private const string Push = """
        {"slug":"alice/strict-run-1","newTitle":"strict-run-1","text":"print(1)","language":"python","kernelType":"script",
         "isPrivate":true,"enableInternet":false,"sessionTimeoutSeconds":3600}
        """;

    [Theory]
    [InlineData("a field in the wrong case", "SaveKernel", """{"Slug":"alice/strict-run-1","newTitle":"strict-run-1","text":"x"}""", "Unknown name \"Slug\"")]
    [InlineData("a lower-case field", "GetKernelSessionStatus", """{"userName":"alice","kernelslug":"strict-run-1"}""", "Unknown name \"kernelslug\"")]
    [InlineData("a boolean as a string", "SaveKernel", """{"slug":"alice/strict-run-1","newTitle":"strict-run-1","text":"x","isPrivate":"true"}""", "TYPE_BOOL")]
    [InlineData("an unknown field", "SaveKernel", """{"slug":"alice/strict-run-1","newTitle":"strict-run-1","text":"x","enableGPU":true}""", "Unknown name \"enableGPU\"")]
    [InlineData("a number as a boolean", "CreateDataset", """{"ownerSlug":"alice","slug":"strict-data","title":"strict data","isPrivate":1}""", "TYPE_BOOL")]
    [InlineData("an enum name that does not exist", "ListKernels", """{"group":"MINE"}""", "TYPE_ENUM")]
    [InlineData("an unknown field in a nested object", "CreateDatasetVersion", """{"ownerSlug":"alice","datasetSlug":"strict-data","body":{"files":[{"token":"t","path":"a/b"}]}}""", "Unknown name \"path\"")]
    [InlineData("a fraction as an integer", "SaveKernel", """{"slug":"alice/strict-run-1","newTitle":"strict-run-1","text":"x","sessionTimeoutSeconds":1.5}""", "TYPE_INT64")]
    public async Task A_request_the_SDK_would_not_write_gets_a_400_invalid_argument_and_changes_nothing(string what, string method, string json, string message)
    {
        await using var h = await Harness.StartAsync();
        var service = method.Contains("Dataset") ? "datasets.DatasetApiService" : "kernels.KernelsApiService";

        var (status, body) = await Post(h, method, json, service);

        Assert.True(status == HttpStatusCode.BadRequest, $"{what}: {status} {body}");
        Assert.Equal(400, body.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("INVALID_ARGUMENT", body.GetProperty("error").GetProperty("status").GetString());
        Assert.Contains(message, body.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(h.Server.State.KernelRefs("alice"));
        Assert.Empty(h.Server.State.DatasetRefs("alice"));
    }

    [Fact]
    public async Task What_the_SDK_writes_is_accepted_proto_field_names_and_integers_as_strings_included()
    {
        await using var h = await Harness.StartAsync();
        var (status, body) = await Post(h, "SaveKernel", Push);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("/code/alice/strict-run-1", body.GetProperty("ref").GetString());

        // proto3 JSON: the proto field name is accepted beside the JSON name, int64 as a decimal string.
        (status, body) = await Post(h, "GetKernelSessionStatus", """{"user_name":"alice","kernel_slug":"strict-run-1","versionLabel":"v1"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        (status, _) = await Post(h, "ListKernelSessionOutput", """{"userName":"alice","kernelSlug":"strict-run-1","pageSize":"20"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        (status, body) = await Post(h, "ListKernels", """{"group":1}""");
        Assert.Equal(HttpStatusCode.OK, status); // PROFILE by number
        Assert.Single(body.GetProperty("kernels").EnumerateArray());
    }

    [Fact]
    public async Task Without_userName_a_kernel_is_not_found_even_by_its_owner()
    {
        await using var h = await Harness.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await Post(h, "SaveKernel", Push)).Status);

        var (status, body) = await Post(h, "GetKernelSessionStatus", """{"kernelSlug":"strict-run-1"}""");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("PERMISSION_DENIED", body.GetProperty("error").GetProperty("status").GetString());
    }

    private static SaveKernelRequest Gpu(string slug) => new()
    {
        Slug = $"alice/{slug}", NewTitle = slug, Text = "print('hi')\n", Language = "python", KernelType = "script",
        IsPrivate = true, EnableInternet = false, MachineShape = "NvidiaTeslaT4",
    };

    [Fact]
    public async Task A_spent_gpu_week_refuses_the_next_gpu_push_and_ends_the_running_session_when_it_runs_out()
    {
        await using var h = await Harness.StartAsync(o => o with
        {
            GpuQuota = TimeSpan.FromMinutes(30),
            Runner = new ScriptedKernelRunner(o.Time, TimeSpan.FromHours(2)),
        });
        var alice = h.Alice();
        await alice.SaveKernelAsync(Gpu("quota-run-1"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(5)); // queued → running
        Assert.Equal(KernelWorkerStatus.Running, (await alice.GetKernelSessionStatusAsync("alice", "quota-run-1", 1, CancellationToken.None)).Status);

        h.Time.Advance(TimeSpan.FromMinutes(40));
        var ended = await alice.GetKernelSessionStatusAsync("alice", "quota-run-1", 1, CancellationToken.None);
        Assert.Equal(KernelWorkerStatus.Error, ended.Status);
        Assert.Equal(FakeKaggleMessages.QuotaSpent, ended.FailureMessage);
        var quota = await alice.GetAcceleratorQuotaStatisticsAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.FromMinutes(30), quota.GpuQuota!.TimeUsed); // ended when the allowance ran out, not when asked

        var refused = await Assert.ThrowsAsync<KaggleRejectedException>(() => alice.SaveKernelAsync(Gpu("quota-run-2"), CancellationToken.None));
        Assert.Contains(FakeKaggleMessages.QuotaRefusal, refused.Message);
        Assert.Equal(0, h.Server.State.VersionCount("alice", "quota-run-2"));
        var cpu = await alice.SaveKernelAsync(Gpu("quota-run-3") with { MachineShape = null }, CancellationToken.None);
        Assert.Equal(1, cpu.VersionNumber); // CPU sessions spend no GPU quota
    }

    [Fact]
    public async Task Deleting_a_kernel_leaves_its_session_running_and_holding_a_slot_unless_the_switch_says_otherwise()
    {
        foreach (var stops in new[] { false, true })
        {
            await using var h = await Harness.StartAsync(o => o with { DeleteStopsSession = stops });
            var alice = h.Alice();
            await alice.SaveKernelAsync(Gpu("deleted-run-1"), CancellationToken.None);
            await alice.SaveKernelAsync(Gpu("deleted-run-2"), CancellationToken.None);
            await alice.DeleteKernelAsync("alice", "deleted-run-1", CancellationToken.None);

            Assert.Equal(["alice/deleted-run-2"], h.Server.State.KernelRefs("alice"));
            Assert.Equal(stops ? 1 : 2, h.Server.State.ActiveSessions("alice"));
            if (stops)
                Assert.Equal(1, (await alice.SaveKernelAsync(Gpu("deleted-run-3"), CancellationToken.None)).VersionNumber);
            else
                await Assert.ThrowsAsync<KaggleSessionLimitException>(() => alice.SaveKernelAsync(Gpu("deleted-run-3"), CancellationToken.None));
        }
    }

    [Fact]
    public async Task Outputs_keep_regular_files_only_symlinks_and_empty_folders_are_lost()
    {
        await using var h = await Harness.StartAsync(o => o with
        {
            Runner = new ScriptedKernelRunner(o.Time, TimeSpan.FromMinutes(1), (request, output) =>
            {
                File.WriteAllText(Path.Combine(output, "model.bin"), "weights");
                Directory.CreateDirectory(Path.Combine(output, "sub"));
                File.WriteAllText(Path.Combine(output, "sub", "run.sh"), "#!/bin/sh\n");
                File.SetUnixFileMode(Path.Combine(output, "sub", "run.sh"), (UnixFileMode)0b111_101_101);
                Directory.CreateDirectory(Path.Combine(output, "empty"));
                File.CreateSymbolicLink(Path.Combine(output, "latest.bin"), Path.Combine(output, "model.bin"));
                Directory.CreateSymbolicLink(Path.Combine(output, "linked-dir"), Path.Combine(output, "sub"));
                return new ScriptedResult(true, ["done"]);
            }),
        });
        var alice = h.Alice();
        await alice.SaveKernelAsync(Gpu("outputs-run-1") with { MachineShape = null }, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await alice.GetKernelSessionStatusAsync("alice", "outputs-run-1", 1, CancellationToken.None); // starts it
        h.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(KernelWorkerStatus.Complete, (await alice.GetKernelSessionStatusAsync("alice", "outputs-run-1", 1, CancellationToken.None)).Status);

        var output = await alice.ListKernelSessionOutputAsync("alice", "outputs-run-1", 1, CancellationToken.None);

        Assert.Equal(["model.bin", "sub/run.sh"], output.Files.Select(f => f.FileName));
    }

    [Fact]
    public async Task A_competition_is_mounted_once_its_rules_are_accepted_and_unknown_ones_are_invalid()
    {
        var mounts = new List<IReadOnlyList<FakeMountedDataset>>();
        await using var h = await Harness.StartAsync(o => o with
        {
            NestedInputLayout = true,
            Runner = new ScriptedKernelRunner(o.Time, TimeSpan.FromMinutes(1), (request, output) =>
            {
                lock (mounts)
                    mounts.Add(request.Datasets);
                return ScriptedKernelRunner.DefaultScript(request, output);
            }),
        });
        var data = Directory.CreateDirectory(Path.Combine(h.Workspace, "severstal")).FullName;
        h.Server.State.AddCompetition("severstal-steel-defect-detection", data);
        h.Server.State.AcceptCompetitionRules("alice", "severstal-steel-defect-detection");
        var alice = h.Alice();
        var request = Gpu("competition-run-1") with { MachineShape = null, CompetitionDataSources = ["severstal-steel-defect-detection"] };

        await alice.SaveKernelAsync(request, CancellationToken.None);
        var unknown = await Assert.ThrowsAsync<KaggleInvalidSourcesException>(() =>
            alice.SaveKernelAsync(request with { Slug = "alice/competition-run-2", NewTitle = "competition-run-2", CompetitionDataSources = ["no-such-competition"] }, CancellationToken.None));
        Assert.Equal("no-such-competition", unknown.Sources.Single().Source);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await alice.GetKernelSessionStatusAsync("alice", "competition-run-1", 1, CancellationToken.None); // starts it
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await alice.GetKernelSessionStatusAsync("alice", "competition-run-1", 1, CancellationToken.None);

        var mounted = Assert.Single(mounts.Single(m => m.Count > 0)); // competition-run-2 mounted nothing
        Assert.Equal("competitions/severstal-steel-defect-detection", mounted.Mount);
        Assert.Equal(data, mounted.Directory);
    }
}
