using System.Text.RegularExpressions;
using SteelCI.Testing;

namespace SteelCI.EndToEnd.Tests;

/// <summary>
/// No silent retraining, through the real CLI: `plan` lists the finished stages a changed trainer would retrain before a
/// tick spends anything; `pin` and `unpin` edit the state; `status` shows the pin.
/// </summary>
[Collection("steelci")]
public sealed class RekeyPlanTests
{
    private static readonly string[] Stages = ["severstal", "eda", "binary", "multilabel", "seg1", "seg2", "seg3", "seg4", "submission"];
    private static readonly string Recorded = new('a', 64);

    /// <summary>A state whose every stage finished, keyed with the trainer bundle <see cref="Recorded"/>.</summary>
    private static string FinishedState() =>
        $$"""
        { "format": "steelci.state/1", "pipeline": "severstal", "runId": "r", "startedUtc": "2026-11-28T10:00:00Z", "trainerHash": "{{Recorded}}",
          "stages": { {{string.Join(",\n", Stages.Select(s =>
            $$"""
            "{{s}}": { "contentKey": "k-{{s}}", "status": "complete", "release": "severstal-{{s}}-aaaaaaaaaaaa",
              "keyParts": { "trainer": "{{Recorded}}", "entry": "x", "epochs": 1 } }
            """))}} } }
        """;

    private static string Spec => Repository.File("kernels", "severstal", "steelci.yml");

    [Fact]
    public void Pinned_to_another_bundle_plan_lists_every_finished_stage_and_why_and_unpin_is_one_command()
    {
        using var dir = new TempDirectory("rekey-pin");
        var state = dir.Write("ws/state/state.json", FinishedState());
        var workspace = dir.Combine("ws");
        var pinned = new string('b', 64);

        var refused = Steelci.Run("pin", Spec, "--workspace", workspace, "--hash", "b0b");
        Assert.True(refused.ExitCode == 2, refused.Output);
        Assert.Contains("64 lowercase hex digits", refused.Output);
        var pin = Steelci.Run("pin", Spec, "--workspace", workspace, "--hash", pinned);
        Assert.True(pin.ExitCode == 0, pin.Output);
        Assert.Contains($"The bundle bbbbbbbbbbbb is not kept in this workspace (trainer/bundles/bbbbbbbbbbbb), so it is not stored yet", pin.Output);
        Assert.Contains($"\"trainerPin\": \"{pinned}\"", File.ReadAllText(state));

        var plan = Steelci.Run("plan", Spec, "--workspace", workspace, "--account", "alice", "--chart", dir.Combine("plan.png"));

        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Contains($"Trainer: pinned at {pinned}", plan.Output);
        foreach (var stage in Stages)
            Assert.Matches($@"(?m)^{stage}: would retrain — trainer code changed \(bundle aaaaaaaa… → bbbbbbbb…\)", plan.Output);
        Assert.Contains($"{Stages.Length} finished stage(s) would retrain.", plan.Output);
        Assert.Matches(@"(?m)^seg1\s+\d+ alice", plan.Output); // the forecast plans the stages that would retrain
        var status = Steelci.Run("status", Spec, "--workspace", workspace);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains("Trainer: pinned at bbbbbbbbbbbb", status.Output);

        var unpin = Steelci.Run("unpin", Spec, "--workspace", workspace);

        Assert.True(unpin.ExitCode == 0, unpin.Output);
        Assert.Contains($"unpinned (was {pinned})", unpin.Output);
        Assert.DoesNotContain("trainerPin", File.ReadAllText(state));
    }

    [Fact]
    public void Unpinned_plan_builds_the_trainer_and_lists_what_its_hash_would_retrain_without_starting_anything()
    {
        using var dir = new TempDirectory("rekey-build");
        var state = dir.Write("ws/state/state.json", FinishedState());
        var before = File.ReadAllText(state);

        var plan = Steelci.Run("plan", Spec, "--workspace", dir.Combine("ws"), "--account", "alice", "--chart", dir.Combine("plan.png"));

        Assert.True(plan.ExitCode == 0, plan.Output);
        var built = Regex.Match(plan.Output, "Trainer: unpinned, builds to ([0-9a-f]{12}) now").Groups[1].Value;
        Assert.NotEmpty(built);
        foreach (var stage in Stages)
            Assert.Matches($@"(?m)^{stage}: would retrain — trainer code changed \(bundle aaaaaaaa… → {built[..8]}…\)", plan.Output);
        Assert.Equal(before, File.ReadAllText(state)); // nothing recorded, nothing started
        Assert.False(Directory.Exists(dir.Combine("ws", "kernels")));

        // Pinning the bundle plan built, where it is kept, stores it beside the state for runners that keep nothing; once.
        var hash = Regex.Match(File.ReadAllText(dir.Combine("ws", "trainer", "bundles", built, "steelci-bundle.json")), "\"hash\":\"([0-9a-f]{64})\"").Groups[1].Value;
        var pin = Steelci.Run("pin", Spec, "--workspace", dir.Combine("ws"), "--hash", hash);
        Assert.True(pin.ExitCode == 0, pin.Output);
        Assert.Contains($"Stored the pinned trainer bundle {built} as release steelci-trainer-bundle-{hash}", pin.Output);
        var stored = dir.Combine("ws", "releases", $"steelci-trainer-bundle-{hash}");
        Assert.True(File.Exists(Path.Combine(stored, "bundle", "steelci-bundle.json")));
        var again = Steelci.Run("pin", Spec, "--workspace", dir.Combine("ws"), "--hash", hash);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains($"The pinned trainer bundle {built} is stored as release steelci-trainer-bundle-{hash}", again.Output);
        var unpin = Steelci.Run("unpin", Spec, "--workspace", dir.Combine("ws"));
        Assert.True(unpin.ExitCode == 0, unpin.Output);
        Assert.True(Directory.Exists(stored)); // unpin leaves the stored bundle: pinning the hash again finds it
    }
}
