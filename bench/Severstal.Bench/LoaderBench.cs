using System.Diagnostics;
using System.Globalization;
using Severstal.Data;
using static TorchSharp.torch;

/// <summary>
/// Input pipeline at full resolution (JPEG decode, the four classes' RLE masks, flips, normalisation into float batch
/// tensors) through the background loader with per-batch decoding (LazySamples: libvips writes into the batch
/// tensor, RLE runs are written in place), against a PIL + numpy loader doing the same work on the same images.
/// Speed is images per CPU-second: user + system time of each side's own process, measured per side, so neither
/// gains from using more cores. Outputs are checked: the first <c>check</c> images go through both pipelines with the
/// same flips and the reference compares (pixel levels within <see cref="PixelTolerance"/>, masks exactly).
/// </summary>
internal static class LoaderBench
{
    /// <summary>Largest difference in gray levels allowed between libvips' and PIL's decode (two JPEG decoders).</summary>
    public const int PixelTolerance = 2;

    public static int Run(string folder, int images, int batch, int prefetch, int check, string python)
    {
        SteelCI.Training.NativeHeap.KeepFreedMemory(); // as the trainer host does: batch tensors reuse freed memory
        var labels = TrainLabels.Load(folder);
        var ids = labels.Images.Take(images).ToList();
        var source = new LazySamples(folder, labels, ids, Rle.Height, Rle.Width);
        if (!Reference.Check(python, "loader"))
            return 2;
        var checkFile = Path.Combine(Path.GetTempPath(), $"steelci-loader-check-{Environment.ProcessId}.bin");
        var idsFile = Path.ChangeExtension(checkFile, ".ids");
        File.WriteAllLines(idsFile, ids);
        WriteCheck(source, Math.Min(check, ids.Count), checkFile);
        var plan = EpochPlan.Create(ids.Count, batch, seed: 1, epoch: 0);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using (var loader = new BatchLoader(plan, 0, prefetch, (indices, flips, step) => Prepare(source, indices, flips, step)))
        {
            for (var step = 0; step < plan.Batches.Count; step++)
                loader.Next(step).Dispose();
        }
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var peak = process.PeakWorkingSet64 / 1048576.0;
        var sharp = ids.Count / cpu;
        Console.WriteLine(FormattableString.Invariant(
            $"loader c# (libvips {NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)}) images={ids.Count} 1600x256 batch={batch} prefetch={prefetch}: ") +
            FormattableString.Invariant($"{sharp:0.0} images/cpu-s ({cpu:0.00} cpu-s, {seconds:0.00} s wall, {cpu / seconds:0.00} cores), peak working set {peak:0} MiB"));
        var output = Reference.Run(python, "loader_reference.py", folder, idsFile, $"{batch}", checkFile, $"{Math.Min(check, ids.Count)}", $"{PixelTolerance}");
        File.Delete(checkFile);
        File.Delete(idsFile);
        if (output is null)
            return 1;
        var reference = Reference.Value(output, "images/cpu-s", before: true);
        Console.WriteLine(FormattableString.Invariant($"ratio c#/pil+numpy images per cpu-second: {sharp / reference:0.00} (goal >= 1.5)"));
        return output.Contains("check: ok", StringComparison.Ordinal) ? 0 : 1;
    }

    /// <summary>Image [B,1,H,W] and the four classes' masks [4,B,1,H,W], as the reference stacks them.</summary>
    private static PreparedBatch Prepare(ISampleSource source, int[] indices, IReadOnlyList<(bool H, bool V)> flips, int step)
    {
        var plane = Rle.Height * Rle.Width;
        var input = empty(indices.Length, 1, Rle.Height, Rle.Width);
        var target = empty([TrainLabels.Classes, indices.Length, 1, Rle.Height, Rle.Width]);
        IntPtr inputs = Batches.DataOf(input), targets = Batches.DataOf(target);
        Parallel.For(0, indices.Length, b =>
        {
            source.WriteImage(indices[b], Batches.Floats(inputs, b * plane, plane), flips[b]);
            for (var c = 1; c <= TrainLabels.Classes; c++)
                source.WriteMask(indices[b], c, Batches.Floats(targets, ((c - 1) * indices.Length + b) * plane, plane), flips[b]);
        });
        return new PreparedBatch(step, input, target);
    }

    /// <summary>
    /// The first <paramref name="count"/> images as the loader writes them, image i flipped (i % 2 == 1, i % 4 >= 2):
    /// per image its float plane, then the four masks' planes, float32 little-endian.
    /// </summary>
    private static void WriteCheck(ISampleSource source, int count, string file)
    {
        int[] indices = [.. Enumerable.Range(0, count)];
        var flips = indices.Select(i => (i % 2 == 1, i % 4 >= 2)).ToList();
        using var batch = Prepare(source, indices, flips, 0);
        using var stream = File.Create(file);
        var plane = Rle.Height * Rle.Width * sizeof(float);
        var images = batch.Input.bytes;
        var masks = batch.Target.bytes;
        for (var i = 0; i < count; i++)
        {
            stream.Write(images.Slice(i * plane, plane));
            for (var c = 0; c < TrainLabels.Classes; c++)
                stream.Write(masks.Slice((c * count + i) * plane, plane));
        }
    }
}
