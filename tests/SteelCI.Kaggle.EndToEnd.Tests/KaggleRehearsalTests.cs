using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using SteelCI.Contracts;
using SteelCI.Kaggle.Fake;
using SteelCI.Local;
using SteelCI.Testing;
using Xunit.Abstractions;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace SteelCI.Kaggle.EndToEnd.Tests;

/// <summary>
/// One fake Kaggle with alice and bob, one workspace, and the first run of the Severstal pipeline (ci profile) through
/// <c>steelci run --backend kaggle</c>, with production's client (no switch for a loopback URL) and faults on that
/// first run, which uploads everything: two blob PUTs cut halfway, CreateDataset answered 500 once, and one SaveKernel
/// handled but never answered. The self-contained trainer is published once for the class.
/// </summary>
public sealed class RehearsalFixture : IAsyncLifetime
{
    public const string AliceToken = "KGAT_e2e_alice_5f1d2c";
    public const string BobToken = "KGAT_e2e_bob_9a7e31";

    private readonly TempDirectory _dir = new("kaggle-e2e");

    public FakeKaggleServer Server { get; private set; } = null!;
    public string Workspace => _dir.Combine("ws");
    public SteelciProcess.Result First { get; private set; } = null!;
    public TimeSpan FirstDuration { get; private set; }
    /// <summary>The fake's kernels right after the first run (the rerun test adds more).</summary>
    public IReadOnlyList<(string Owner, string Slug)> FirstKernels { get; private set; } = [];
    public IReadOnlyDictionary<string, int> FirstFaults { get; private set; } = new Dictionary<string, int>();

    public async Task InitializeAsync()
    {
        Server = await FakeKaggleServer.StartAsync(new FakeKaggleOptions
        {
            Time = TimeProvider.System, // the steelci process it serves runs on the real clock
            DataDirectory = _dir.Combine("fake"),
            QueueTime = TimeSpan.FromSeconds(1),
            DatasetProcessingTime = TimeSpan.FromSeconds(2),
            NotVisibleFor = TimeSpan.FromSeconds(1),
            Runner = new LocalKernelRunner(new SystemProcessRunner()),
        }, CancellationToken.None);
        Server.State.AddUser("alice", AliceToken);
        Server.State.AddUser("bob", BobToken);
        Server.Faults.CutUploads = 2;
        Server.Faults.Next(FakeFault.ServerError, "CreateDataset");
        Server.Faults.Next(FakeFault.ResetAfter, "SaveKernel");
        var watch = Stopwatch.StartNew();
        First = Run();
        FirstDuration = watch.Elapsed;
        FirstKernels = Kernels();
        FirstFaults = new Dictionary<string, int>(Server.Faults.InjectedByKind);
    }

    public SteelciProcess.Result Run(params string[] extra) => Steelci.Run(
        ["run", Repository.File("kernels", "severstal", "steelci.yml"), "--profile", "ci", "--workspace", Workspace,
         "--backend", "kaggle", "--account", "alice", "--account", "bob", "--kaggle-url", Server.BaseUrl.ToString(),
         "--session-minutes", "60", "--poll-seconds", "1", .. extra]);

    public IReadOnlyList<(string Owner, string Slug)> Kernels() =>
        new[] { "alice", "bob" }.SelectMany(o => Server.State.KernelRefs(o).Select(r => (o, r.Split('/')[^1]))).ToList();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}

public sealed class KaggleRehearsalTests(RehearsalFixture fixture, ITestOutputHelper output) : IClassFixture<RehearsalFixture>
{
    private static readonly string[] Stages = ["severstal", "eda", "binary", "multilabel", "seg1", "seg2", "seg3", "seg4", "submission"];

    private void AssertEveryStageReleasedAndVerified()
    {
        foreach (var stage in Stages)
        {
            var release = Directory.GetDirectories(Path.Combine(fixture.Workspace, "releases"), $"severstal-{stage}-*")
                .Single(d => !d.Contains("-partial-"));
            var manifest = ManifestVerifier.Verify(release);
            Assert.Equal(OutputStatus.Complete, manifest.Status);
            Assert.Equal(stage, manifest.Stage);
        }
    }

    private static long BytesUploaded(string log) =>
        long.Parse(Regex.Match(log, @"kaggle: uploaded ([\d,]+) bytes of kernel sources").Groups[1].Value.Replace(",", ""));

    [Fact]
    public void The_ci_pipeline_runs_on_two_fake_kaggle_accounts_through_faults_and_completes_with_one_version_per_attempt()
    {
        var run = fixture.First;
        output.WriteLine($"first run: {fixture.FirstDuration}, {BytesUploaded(run.Output):N0} bytes uploaded, faults " +
                         $"{string.Join(", ", fixture.FirstFaults.Select(f => $"{f.Key} {f.Value}"))}\n{run.Output}");
        Assert.True(run.ExitCode == 0, run.Output);
        AssertEveryStageReleasedAndVerified();
        Assert.Equal(new Dictionary<string, int>
        {
            ["cut upload"] = 2, ["ServerError CreateDataset"] = 1, ["ResetAfter SaveKernel"] = 1,
        }, fixture.FirstFaults);

        var kernels = fixture.FirstKernels;
        Assert.Equal(Stages.Length, kernels.Count); // one kernel per attempt: the unanswered push was found, not repeated
        Assert.Contains(kernels, k => k.Owner == "alice");
        Assert.Contains(kernels, k => k.Owner == "bob");
        Assert.All(kernels, k => Assert.Equal(1, fixture.Server.State.VersionCount(k.Owner, k.Slug)));
        // The trainer went as a self-contained bundle (Kaggle has no dotnet) and really ran through the launcher.
        var bundle = Directory.GetDirectories(Path.Combine(fixture.Workspace, "trainer", "bundles")).Single();
        Assert.Contains("\"runtime\":\"self-contained\"", File.ReadAllText(Path.Combine(bundle, "steelci-bundle.json")));
        // The harness references only SteelCI.Contracts: no core (runner, spec reader) and no YamlDotNet in the bundle.
        var assemblies = Directory.GetFiles(bundle, "*.dll").Select(Path.GetFileName).ToList();
        Assert.Contains("SteelCI.Contracts.dll", assemblies);
        Assert.DoesNotContain("SteelCI.Core.dll", assemblies);
        Assert.DoesNotContain("YamlDotNet.dll", assemblies);
        Assert.Contains("\"executables\":[", File.ReadAllText(Path.Combine(bundle, "steelci-bundle.json")));
        // Its hundreds of files went up as one archive.zip per account (as kagglehub does), which the fake unpacked;
        // the zip was packed once for both accounts.
        var bundleFiles = Directory.GetFiles(bundle, "*", SearchOption.AllDirectories);
        var rawBundle = bundleFiles.Sum(f => new FileInfo(f).Length);
        var packed = Regex.Matches(run.Output, $@"{bundleFiles.Length} files of steelci-trainer-\w+ packed into one archive\.zip \(([\d,]+) of ([\d,]+) bytes");
        Assert.Single(packed);
        Assert.All(new[] { "alice", "bob" }, owner => Assert.DoesNotContain("Severstal.Trainer.dll", fixture.Server.State.UploadNames(owner)));
        Assert.All(new[] { "alice", "bob" }, owner => Assert.Contains("archive.zip", fixture.Server.State.UploadNames(owner)));
        var zipped = long.Parse(packed[0].Groups[1].Value.Replace(",", ""));
        Assert.True(zipped < rawBundle / 2, $"the bundle's zip holds {zipped:N0} of {rawBundle:N0} bytes");
        Assert.True(BytesUploaded(run.Output) < 2 * rawBundle, $"{BytesUploaded(run.Output):N0} bytes uploaded; the bundle alone is {rawBundle:N0} per account unpacked");
        output.WriteLine($"bundle: {bundleFiles.Length} files, {rawBundle:N0} bytes raw, {zipped:N0} bytes as archive.zip; sent twice (two accounts)");
        // (the generated dataset and eda are cpu stages: their logs say so instead)
        var log = Directory.GetFiles(Path.Combine(fixture.Workspace, "kaggle", "outputs"), "log.txt", SearchOption.AllDirectories)
            .Select(File.ReadAllText).First(l => l.Contains("[binary]"));
        Assert.Contains("device cpu (rung c): not on Kaggle, so this gpu stage runs on the CPU here", log);
        Assert.Contains("no pinned CUDA runtime is attached", log); // the accounts prepared none: rung b was considered and said why not
        Assert.Contains("STEELCI-END status=complete", log);
        // Nothing secret in what was pushed.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(fixture.Workspace, "kaggle", "kernels"), "*", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain(RehearsalFixture.AliceToken, text);
            Assert.DoesNotContain(RehearsalFixture.BobToken, text);
        }
        Assert.DoesNotContain(RehearsalFixture.AliceToken, run.Output);
    }

    [Fact]
    public void A_forced_rerun_pushes_one_new_kernel_per_stage_and_uploads_no_bundle_again()
    {
        Assert.True(fixture.First.ExitCode == 0, fixture.First.Output);
        var before = fixture.FirstKernels.ToHashSet();
        var run = fixture.Run("--force");
        output.WriteLine($"rerun: {BytesUploaded(run.Output):N0} bytes of kernel sources uploaded\n{run.Output}");

        Assert.True(run.ExitCode == 0, run.Output);
        AssertEveryStageReleasedAndVerified();
        var added = fixture.Kernels().Where(k => !before.Contains(k)).ToList();
        Assert.Equal(Stages.Length, added.Count);
        Assert.All(fixture.Kernels(), k => Assert.Equal(1, fixture.Server.State.VersionCount(k.Owner, k.Slug)));
        // Same trainer and runtime, and the generator makes the same images: the bundle and the data are reused in both
        // accounts (the dataset key follows the files the manifest lists, not its creation time). Retrained models
        // may differ by a bit and go up again; the in-process FaultRunTests pins the rerun's bytes at 0.
        Assert.DoesNotContain("uploading steelci-trainer-", run.Output);
        Assert.DoesNotContain("uploading severstal as dataset", run.Output);
        foreach (var account in new[] { "alice", "bob" })
        {
            Assert.Contains($"account {account}: reusing dataset {account}/steelci-trainer-", run.Output);
            Assert.Contains($"account {account}: reusing dataset {account}/steelci-severstal-", run.Output);
        }
    }
}

/// <summary>Runs the steelci executable built beside these tests, as a separate process, with the fake's tokens.</summary>
public static class Steelci
{
    public static SteelciProcess.Result Run(params string[] args) => SteelciProcess.Run(new Dictionary<string, string?>
    {
        ["KAGGLE_API_TOKEN_ALICE"] = RehearsalFixture.AliceToken,
        ["KAGGLE_API_TOKEN_BOB"] = RehearsalFixture.BobToken,
    }, TimeSpan.FromMinutes(8), args);
}
