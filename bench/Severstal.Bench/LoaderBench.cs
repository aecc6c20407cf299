using System.Diagnostics;
using System.Globalization;
using Severstal.Data;

/// <summary>
/// Input pipeline at full resolution (JPEG decode, RLE masks, flips, normalisation into float batches) through the
/// background loader with per-batch decoding, against a PIL + numpy loader doing the same work, on the same data.
/// Also reports the peak working set, which should stay flat as the number of images grows.
/// </summary>
internal static class LoaderBench
{
    public static int Run(string folder, int images, int batch, int prefetch, string python)
    {
        var labels = TrainLabels.Load(folder);
        var ids = labels.Images.Take(images).ToList();
        var source = new LazySamples(folder, labels, ids, Rle.Height, Rle.Width);
        var plan = EpochPlan.Create(ids.Count, batch, seed: 1, epoch: 0);
        var clock = Stopwatch.StartNew();
        using (var loader = new BatchLoader(source, plan, 0, prefetch, (chunk, flips, step) =>
                   new PreparedBatch(step, Batches.ImageArray(chunk, Rle.Height, Rle.Width, flips), [chunk.Count, 1, Rle.Height, Rle.Width],
                       Enumerable.Range(1, TrainLabels.Classes).SelectMany(c => Batches.MaskArray(chunk, c, Rle.Height, Rle.Width, flips)).ToArray(),
                       [TrainLabels.Classes, chunk.Count, 1, Rle.Height, Rle.Width])))
        {
            for (var step = 0; step < plan.Batches.Count; step++)
                loader.Next(step);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        var sharp = ids.Count / seconds;
        Console.WriteLine(FormattableString.Invariant(
            $"loader c# images={ids.Count} 1600x256 batch={batch} prefetch={prefetch}: {sharp:0.0} images/s, peak working set {peak:0} MiB"));
        var script = Path.Combine(AppContext.BaseDirectory, "loader_reference.py");
        if (!File.Exists(python))
            return 0;
        var start = new ProcessStartInfo(python, [script, folder, $"{images}", $"{batch}"]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Console.Write(output);
        var words = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(words, "images/s,");
        if (process.ExitCode == 0 && at > 0)
            Console.WriteLine(FormattableString.Invariant(
                $"ratio c#/pil+numpy images/s: {sharp / double.Parse(words[at - 1], CultureInfo.InvariantCulture):0.00}"));
        return 0;
    }
}
