using System.Diagnostics;
using Severstal.Data;
using Severstal.Eda;

/// <summary>
/// The eda stage's work (one pass over every image, charts, report) against the floor it cannot beat: decoding the
/// same images with the trainer's loader and nothing else, on the same threads, in the same run. Generates the data
/// first when the folder has no train.csv (seed 7, as the pipeline's dataset); --output keeps the report and charts. Reports wall and CPU time (CPU time is what to trust on a shared machine:
/// other processes stretch the wall clock, not the CPU seconds this process spends).
/// </summary>
internal static class EdaBench
{
    public static int Run(string folder, int images, int threads, string? keep)
    {
        if (!File.Exists(Path.Combine(folder, "train.csv")))
        {
            var generating = Measure(() => new SyntheticSeverstal(7).Write(folder, images, 0));
            Console.WriteLine(FormattableString.Invariant($"generated {images} images in {generating.Wall:0.0} s wall, {generating.Cpu:0.0} s CPU"));
        }
        var ids = Directory.EnumerateFiles(Path.Combine(folder, "train_images"), "*.jpg").ToList();
        var decode = Measure(() => Parallel.ForEach(ids, new ParallelOptions { MaxDegreeOfParallelism = threads },
            path => GrayImage.Load(path, Rle.Height, Rle.Width)));
        var output = keep is null ? Directory.CreateTempSubdirectory("eda-bench-").FullName : Directory.CreateDirectory(keep).FullName;
        var eda = Measure(() =>
        {
            var (summary, facts, labels) = EdaScan.Run(folder, threads);
            var charts = EdaCharts.All(summary);
            foreach (var chart in charts)
                chart.Canvas.SavePng(Path.Combine(output, chart.FileName));
            ExampleGrid.Draw(Path.Combine(folder, "train_images"), ExampleGrid.Choose(summary, facts), labels)
                .SavePng(Path.Combine(output, ExampleGrid.FileName));
            File.WriteAllText(Path.Combine(output, EdaReport.FileName), EdaReport.Build(summary, charts, examples: true));
        });
        if (keep is null)
            Directory.Delete(output, recursive: true);
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        Console.WriteLine(FormattableString.Invariant(
            $"decode only  images={ids.Count} threads={threads}: {decode.Wall:0.0} s wall, {decode.Cpu:0.0} s CPU, {1000 * decode.Cpu / ids.Count:0.0} CPU-ms/image"));
        Console.WriteLine(FormattableString.Invariant(
            $"eda stage    images={ids.Count} threads={threads}: {eda.Wall:0.0} s wall, {eda.Cpu:0.0} s CPU, {1000 * eda.Cpu / ids.Count:0.0} CPU-ms/image; ratio eda/decode (CPU) {eda.Cpu / decode.Cpu:0.00}; peak working set {peak:0} MiB"));
        Console.WriteLine(FormattableString.Invariant(
            $"at 12,568 images: {eda.Cpu / ids.Count * 12568 / 60:0.0} CPU-minutes, so about {eda.Cpu / ids.Count * 12568 / 60 / 4:0.0} min on 4 free cores (a Kaggle CPU session), {eda.Cpu / ids.Count * 12568 / 60 / 2:0.0} min on 2"));
        return 0;
    }

    private static (double Wall, double Cpu) Measure(Action work)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        work();
        process.Refresh();
        return (clock.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalSeconds);
    }
}
