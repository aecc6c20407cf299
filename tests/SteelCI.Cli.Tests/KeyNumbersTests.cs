using SteelCI.Cli;
using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Cli.Tests;

/// <summary>A stage whose <c>metric</c> lists several (eda) gets its key numbers in the run summary and the job summary.</summary>
public sealed class KeyNumbersTests
{
    private static RunSummary Summary() => new("severstal", "r1",
    [
        new StageSummary("eda", StageStatus.Complete, TimeSpan.FromSeconds(9), "images", 400, "severstal-eda-aaaaaaaaaaaa", null, null)
        {
            KeyMetrics = [new("images", 400), new("defect_free_share", 0.4725), new("rle_problems", 0)],
        },
        new StageSummary("binary", StageStatus.Complete, TimeSpan.FromSeconds(9), "val_accuracy", 0.9, "severstal-binary-bbbbbbbbbbbb", null, null)
        {
            KeyMetrics = [new("val_accuracy", 0.9)],
        },
    ]);

    [Fact]
    public void The_run_summary_prints_a_key_numbers_line_for_the_stage_that_lists_several()
    {
        using var h = new Harness();
        SummaryTable.Write(h.Console, Summary(), "releases", interactive: false);
        Assert.Contains("eda key numbers: images = 400, defect_free_share = 0.4725, rle_problems = 0", h.Output);
        Assert.DoesNotContain("binary key numbers", h.Output);
        Assert.Contains("images = 400", h.Output.Split('\n').Single(l => l.Contains("| eda ")));
    }

    [Fact]
    public void The_job_summary_table_holds_the_key_numbers()
    {
        var markdown = JobSummary.KeyNumbers(Summary());
        Assert.Contains("| stage | key numbers |", markdown);
        Assert.Contains("| eda | images = 400, defect_free_share = 0.4725, rle_problems = 0 |", markdown);
        Assert.DoesNotContain("| binary |", markdown);
        Assert.Equal("", JobSummary.KeyNumbers(new RunSummary("p", "r", [])));
    }
}
