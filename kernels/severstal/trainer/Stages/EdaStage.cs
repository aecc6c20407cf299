using Severstal.Eda;
using SteelCI.Training;

namespace Severstal.Stages;

/// <summary>
/// Entry point <c>eda</c>: exploratory analysis of the training set on the CPU. One streaming pass over every image
/// (<see cref="EdaScan"/>); writes report.md, the charts and examples.png; the key numbers go to the manifest's metrics.
/// Params: <c>data</c> (the dataset input's name, default severstal).
/// </summary>
public static class EdaStage
{
    public static StageOutcome Run(StageContext context)
    {
        var folder = context.Input(context.Param("data", Inputs.Dataset));
        var (summary, facts, labels) = EdaScan.Run(folder, context.Threads, context.Log);
        var charts = EdaCharts.All(summary);
        foreach (var chart in charts)
            chart.Canvas.SavePng(Path.Combine(context.Output, chart.FileName));
        var examples = ExampleGrid.Choose(summary, facts);
        ExampleGrid.Draw(Path.Combine(folder, "train_images"), examples, labels).SavePng(Path.Combine(context.Output, ExampleGrid.FileName));
        File.WriteAllText(Path.Combine(context.Output, EdaReport.FileName), EdaReport.Build(summary, charts, examples: true));
        var metrics = summary.Metrics();
        context.Log($"{summary.Images} images, {summary.ImagesWithDefects} with defects, {summary.RleProblemCount} RLE problem(s), " +
            $"{summary.NotStandardSize} not 1600x256; {charts.Count} charts, {ExampleGrid.FileName} and {EdaReport.FileName} written");
        return StageOutcome.Complete(1, metrics);
    }
}
