using SteelCI.Testing;
using System.Text.Json;

namespace SteelCI.EndToEnd.Tests;

[Collection("steelci")]
public sealed class PipelineTests
{
    private static readonly string[] Stages = ["severstal", "eda", "binary", "multilabel", "seg1", "seg2", "seg3", "seg4", "submission"];

    [Fact]
    public void The_pipeline_runs_to_a_submission_and_a_second_run_reuses_every_stage()
    {
        using var workspace = new PipelineWorkspace();

        var first = workspace.Run();

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("All stages finished.", first.Output);
        Assert.Equal(Stages.Length, workspace.ReleaseTags().Count);
        foreach (var stage in Stages)
            Assert.Equal(stage, workspace.VerifyRelease(stage).Stage);
        var submission = workspace.VerifyRelease("submission");
        Assert.InRange(submission.Metrics["val_dice"], 0, 1);
        var csv = File.ReadAllLines(Path.Combine(Directory.GetDirectories(workspace.Releases, "severstal-submission-*").Single(), "submission.csv"));
        Assert.Equal("ImageId,EncodedPixels,ClassId", csv[0]);
        Assert.Equal(4 * 4, csv.Length - 1); // the ci profile has 4 test images, 4 classes each
        Assert.All(csv.Skip(1), line => Assert.Matches(@"^[0-9a-f]{9}\.jpg,([0-9]+ [0-9]+( [0-9]+ [0-9]+)*)?,[1-4]$", line));
        // eda: the page and its charts are in the release, its key numbers in the summary table
        var eda = Directory.GetDirectories(workspace.Releases, "severstal-eda-*").Single();
        Assert.Contains("](class_counts.png)", File.ReadAllText(Path.Combine(eda, "report.md")));
        Assert.True(Directory.GetFiles(eda, "*.png").Length >= 5, "eda published fewer than four charts and the example grid");
        Assert.Equal(60, workspace.VerifyRelease("eda").Metrics["images"]);
        Assert.Matches(@"eda key numbers: images = 60, defect_free_share = 0\.\d+, rle_problems = 0, images_not_1600x256 = 0", first.Output);
        var lineage = workspace.VerifyRelease("submission").Lineage;
        Assert.Equal(["binary", "multilabel", "seg1", "seg2", "seg3", "seg4", "severstal"], lineage.Inputs.Select(i => i.Name).Order());
        Assert.All(lineage.Inputs, i => Assert.Contains(i.Source, workspace.ReleaseTags()));
        var attemptsBefore = Attempts(workspace).ToDictionary(s => s.Key, s => s.Value.Attempts);

        var second = workspace.Run();

        Assert.True(second.ExitCode == 0, second.Output);
        foreach (var stage in Stages)
            Assert.Contains($"{stage}: reused release severstal-{stage}-", second.Output);
        Assert.Equal(attemptsBefore, Attempts(workspace).ToDictionary(s => s.Key, s => s.Value.Attempts));
        Assert.Equal(Stages.Length, workspace.ReleaseTags().Count);
    }

    [Fact]
    public void Killing_the_whole_process_tree_midway_and_running_again_finishes_without_retraining_or_duplicates()
    {
        using var workspace = new PipelineWorkspace();
        using (var process = Steelci.Start("run", workspace.Spec, "--profile", "ci", "--workspace", workspace.Root))
        {
            Assert.True(Eventually.UntilBlocking(() => StageRunning(workspace, "binary") || StageRunning(workspace, "seg1")), "no training stage started");
            Steelci.KillTreeHard(process.Id);
            process.WaitForExit();
        }
        var finishedBefore = Attempts(workspace).Where(a => a.Value.Status == "complete").ToDictionary();
        Assert.Contains("severstal", finishedBefore.Keys);

        var rerun = workspace.Run();

        Assert.True(rerun.ExitCode == 0, rerun.Output);
        foreach (var (stage, before) in finishedBefore)
        {
            Assert.Contains($"{stage}: reused release", rerun.Output);
            Assert.Equal(before.Attempts, Attempts(workspace)[stage].Attempts);
        }
        Assert.Equal(Stages.Length, workspace.ReleaseTags().Count); // one release per stage, no leftovers
        foreach (var stage in Stages)
            workspace.VerifyRelease(stage);
        Assert.Empty(Directory.GetDirectories(workspace.Releases, ".*"));
    }

    [Fact]
    public void A_crashing_stage_fails_with_its_name_and_reason_and_publishes_nothing_half_done()
    {
        using var workspace = new PipelineWorkspace(spec => spec.Replace("params: { class: 2,", "params: { class: 9,"));

        var result = workspace.Run();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("seg2 failed", result.Output);
        Assert.Contains("param 'class' must be 1..4, got 9", result.Output);
        Assert.Contains("The pipeline did not finish.", result.Output);
        var tags = workspace.ReleaseTags();
        Assert.DoesNotContain(tags, t => t.StartsWith("severstal-seg2-") || t.StartsWith("severstal-submission-"));
        Assert.Contains(tags, t => t.StartsWith("severstal-seg3-")); // independent stages still finish
        Assert.Empty(Directory.GetDirectories(workspace.Releases, ".*"));
    }

    [Theory]
    [InlineData("inputs: [severstal, binary, multilabel, seg1, seg2, seg3, seg4]", "inputs: [severstal, binary, multilabel, seg1, seg2, seg3, seg5]",
        "stage 'submission': input 'seg5' is neither a stage nor a dataset")]
    [InlineData("    resumable: true\n    metric: val_accuracy\n    budget: { epochs: 20, minutes_per_epoch: 6 }",
        "    resumable: true\n    metrics: val_accuracy\n    budget: { epochs: 20, minutes_per_epoch: 6 }", "unknown key 'metrics' in a stage")]
    [InlineData("  seg1:\n", "  seg1\n", "")]
    public void A_broken_pipeline_file_is_reported_with_its_location_and_nothing_runs(string find, string replace, string problem)
    {
        using var workspace = new PipelineWorkspace(spec =>
        {
            Assert.Contains(find, spec);
            return spec.Replace(find, replace);
        });

        var result = workspace.Run();

        Assert.Equal(2, result.ExitCode);
        Assert.Matches($@"error: {System.Text.RegularExpressions.Regex.Escape(workspace.Spec)}:\d+:\d+: ", result.Output.ReplaceLineEndings(""));
        Assert.Contains(problem, result.Output.ReplaceLineEndings(""));
        Assert.False(Directory.Exists(workspace.Root));
    }

    private sealed record StageRecord(string Status, int Attempts);

    private static Dictionary<string, StageRecord> Attempts(PipelineWorkspace workspace)
    {
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(workspace.Root, "state", "state.json")));
        return state.RootElement.GetProperty("stages").EnumerateObject().ToDictionary(s => s.Name,
            s => new StageRecord(s.Value.GetProperty("status").GetString()!, s.Value.GetProperty("attempts").GetArrayLength()));
    }

    private static bool StageRunning(PipelineWorkspace workspace, string stage)
    {
        var path = Path.Combine(workspace.Root, "state", "state.json");
        if (!File.Exists(path))
            return false;
        try
        {
            var stages = Attempts(workspace);
            return stages.TryGetValue(stage, out var record) && record.Status == "running";
        }
        catch (IOException)
        {
            return false; // replaced while we read it
        }
    }
}
