using SteelCI.Kaggle.Fake;
using SteelCI.Local;
using SteelCI.Testing;
using Xunit.Abstractions;

namespace SteelCI.Kaggle.EndToEnd.Tests;

/// <summary>
/// <c>steelci kaggle probe</c> as a user runs it (a separate process) against the loopback fake, which answers SaveKernel
/// with <c>"ref": "/code/{owner}/{slug}"</c> as the real service does (kaggle-api.md §8) and really runs the probe
/// script with python3. Before issue 11 the owner read from that ref was "" and the probe never saw its kernel again.
/// </summary>
public sealed class KaggleProbeCommandTests(ITestOutputHelper output)
{
    private const string Token = "KGAT_e2e_probe_4b8c0d";

    [Fact]
    public async Task The_probe_completes_against_a_fake_answering_code_path_refs_and_prints_its_table()
    {
        using var dir = new TempDirectory("kaggle-probe-e2e");
        await using var server = await FakeKaggleServer.StartAsync(new FakeKaggleOptions
        {
            Time = TimeProvider.System, // the steelci process it serves runs on the real clock
            DataDirectory = dir.Combine("fake"),
            QueueTime = TimeSpan.FromSeconds(1),
            DatasetProcessingTime = TimeSpan.FromSeconds(1),
            NotVisibleFor = TimeSpan.FromSeconds(1),
            Runner = new LocalKernelRunner(new SystemProcessRunner()),
        }, CancellationToken.None);
        server.State.AddUser("prober", Token);

        var run = SteelciProcess.Run(new Dictionary<string, string?> { ["KAGGLE_API_TOKEN_PROBER"] = Token }, TimeSpan.FromMinutes(4),
            ["kaggle", "probe", "--account", "prober", "--kaggle-url", server.BaseUrl.ToString(), "--workspace", dir.Combine("ws"), "--poll-seconds", "1"]);
        output.WriteLine(run.Output);

        Assert.True(run.ExitCode == 0, run.Output);
        var kernel = Assert.Single(server.State.KernelRefs("prober"));
        var slug = kernel.Split('/')[1];
        Assert.StartsWith("steelci-probe-", slug);
        Assert.Equal(1, server.State.VersionCount("prober", slug));
        Assert.Contains($"pushed prober/{slug} version 1", run.Output); // the owner we pushed as, not "" from "/code/prober/…"
        Assert.Contains($"kaggle probe · account prober · {slug}", run.Output);
        Assert.Contains("input layout", run.Output);
        Assert.Contains("free disk /kaggle/working", run.Output);
        Assert.Matches(@"\d+ problem\(s\)\. Report: ", run.Output);
        Assert.DoesNotContain(Token, run.Output);
    }
}
