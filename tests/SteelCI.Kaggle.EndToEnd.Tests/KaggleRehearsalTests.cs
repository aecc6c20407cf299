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
/// One fake Kaggle with alice and bob, one workspace, and the first clean run of the Severstal pipeline (ci profile)
/// through <c>steelci run --backend kaggle</c>: the self-contained trainer is published once for the class.
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
    /// <summary>The fake's kernels right after the first run (the fault test adds more).</summary>
    public IReadOnlyList<(string Owner, string Slug)> FirstKernels { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Server = await FakeKaggleServer.StartAsync(new FakeKaggleOptions
        {
            DataDirectory = _dir.Combine("fake"),
            QueueTime = TimeSpan.FromSeconds(1),
            DatasetProcessingTime = TimeSpan.FromSeconds(2),
            NotVisibleFor = TimeSpan.FromSeconds(1),
            Runner = new LocalKernelRunner(new SystemProcessRunner()),
        }, CancellationToken.None);
        Server.State.AddUser("alice", AliceToken);
        Server.State.AddUser("bob", BobToken);
        var watch = Stopwatch.StartNew();
        First = Run();
        FirstDuration = watch.Elapsed;
        FirstKernels = Kernels();
    }

    public SteelciProcess.Result Run(params string[] extra) => Steelci.Run(
        ["run", Repository.File("kernels", "severstal", "steelci.yml"), "--profile", "ci", "--workspace", Workspace,
         "--backend", "kaggle", "--account", "alice", "--account", "bob", "--kaggle-url", Server.BaseUrl.ToString(),
         "--session-minutes", "60", .. extra]);

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
    public void The_ci_pipeline_runs_on_two_fake_kaggle_accounts_and_completes()
    {
        var run = fixture.First;
        output.WriteLine($"first run: {fixture.FirstDuration}, {BytesUploaded(run.Output):N0} bytes uploaded\n{run.Output}");
        Assert.True(run.ExitCode == 0, run.Output);
        AssertEveryStageReleasedAndVerified();

        var kernels = fixture.FirstKernels;
        Assert.Equal(Stages.Length, kernels.Count); // one kernel per attempt, no retries needed
        Assert.Contains(kernels, k => k.Owner == "alice");
        Assert.Contains(kernels, k => k.Owner == "bob");
        Assert.All(kernels, k => Assert.Equal(1, fixture.Server.State.VersionCount(k.Owner, k.Slug)));
        // The trainer went as a self-contained bundle (Kaggle has no dotnet) and really ran through the launcher.
        var bundle = Directory.GetDirectories(Path.Combine(fixture.Workspace, "trainer", "bundles")).Single();
        Assert.Contains("\"runtime\":\"self-contained\"", File.ReadAllText(Path.Combine(bundle, "steelci-bundle.json")));
        Assert.Contains("\"executables\":[", File.ReadAllText(Path.Combine(bundle, "steelci-bundle.json")));
        // Its hundreds of files went up as one archive.zip per account (as kagglehub does), which the fake unpacked.
        var bundleFiles = Directory.GetFiles(bundle, "*", SearchOption.AllDirectories);
        var rawBundle = bundleFiles.Sum(f => new FileInfo(f).Length);
        var packed = Regex.Matches(run.Output, $@"{bundleFiles.Length} files of steelci-trainer-\w+ packed into one archive\.zip \(([\d,]+) of ([\d,]+) bytes");
        Assert.Equal(2, packed.Count); // alice and bob
        Assert.All(new[] { "alice", "bob" }, owner => Assert.DoesNotContain("Severstal.Trainer.dll", fixture.Server.State.UploadNames(owner)));
        var zipped = long.Parse(packed[0].Groups[1].Value.Replace(",", ""));
        Assert.True(zipped < rawBundle / 2, $"the bundle's zip holds {zipped:N0} of {rawBundle:N0} bytes");
        Assert.True(BytesUploaded(run.Output) < 2 * rawBundle, $"{BytesUploaded(run.Output):N0} bytes uploaded; the bundle alone is {rawBundle:N0} per account unpacked");
        output.WriteLine($"bundle: {bundleFiles.Length} files, {rawBundle:N0} bytes raw, {zipped:N0} bytes as archive.zip; sent twice (two accounts)");
        // (the generated dataset and eda are cpu stages: their logs say so instead)
        var log = Directory.GetFiles(Path.Combine(fixture.Workspace, "kaggle", "outputs"), "log.txt", SearchOption.AllDirectories)
            .Select(File.ReadAllText).First(l => l.Contains("[binary]"));
        Assert.Contains("device cpu: not on Kaggle, so this gpu stage runs on the CPU here", log);
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
    public void With_faults_on_a_fifth_of_requests_a_forced_rerun_completes_with_no_duplicate_versions_and_no_new_bundle_upload()
    {
        Assert.True(fixture.First.ExitCode == 0, fixture.First.Output);
        var before = fixture.FirstKernels.ToHashSet();
        fixture.Server.Faults.Seed(11);
        fixture.Server.Faults.Rate = 0.2;
        fixture.Server.Faults.TransferCutRate = 0.2;
        var injected = fixture.Server.Faults.Injected;
        var watch = Stopwatch.StartNew();
        SteelciProcess.Result run;
        try
        {
            run = fixture.Run("--force");
        }
        finally
        {
            fixture.Server.Faults.Rate = 0;
            fixture.Server.Faults.TransferCutRate = 0;
        }
        var faults = fixture.Server.Faults.Injected - injected;
        output.WriteLine($"fault run: {watch.Elapsed}, {faults} faults injected, {BytesUploaded(run.Output):N0} bytes uploaded\n{run.Output}");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(faults >= 20, $"only {faults} faults were injected");
        AssertEveryStageReleasedAndVerified();
        var added = fixture.Kernels().Where(k => !before.Contains(k)).ToList();
        Assert.True(added.Count >= Stages.Length, $"{added.Count} new kernels for {Stages.Length} stages");
        Assert.All(fixture.Kernels(), k => Assert.Equal(1, fixture.Server.State.VersionCount(k.Owner, k.Slug)));
        // Same trainer, same runtime: the self-contained bundle is reused in both accounts, not sent again.
        Assert.DoesNotContain("uploading steelci-trainer-", run.Output);
        Assert.Contains("reusing dataset", run.Output);
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
