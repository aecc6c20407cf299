using SteelCI.Testing;

namespace SteelCI.EndToEnd.Tests;

[Collection("steelci")]
public sealed class PlanTests
{
    [Fact]
    public void Plan_prints_every_stage_on_the_accounts_and_writes_the_gantt_chart()
    {
        using var dir = new TempDirectory("plan");
        var chart = dir.Combine("plan.png");

        var plan = Steelci.Run("plan", Repository.File("kernels", "severstal", "steelci.yml"), "--account", "alice", "--account", "bob",
            "--workspace", dir.Combine("ws"), "--chart", chart);

        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Contains("severstal (default) on 2 account(s)", plan.Output);
        foreach (var stage in new[] { "binary", "multilabel", "seg1", "seg2", "seg3", "seg4", "submission" })
            Assert.Matches($@"(?m)^{stage}\s+\d+ (alice|bob)\s+\d+-\d+ of \d+", plan.Output);
        Assert.Matches(@"(?m)^alice\s+\d+\.\d\d h", plan.Output);
        var png = File.ReadAllBytes(chart);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(1600, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4))); // IHDR width
    }
}
