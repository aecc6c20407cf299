using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Severstal.Data;

/// <summary>
/// RLE decode and encode of every mask of a train.csv, against numpy doing the same, same masks, same run. Speed is
/// masks per CPU-second of each side's process (single thread each). Check: numpy decodes every RLE itself and
/// compares each mask (row-major bytes, orientation included) with C#'s by SHA-256.
/// </summary>
internal static class RleBench
{
    public static int Run(string folder, int repeats, string python)
    {
        var labels = TrainLabels.Load(folder);
        var rles = labels.Images.SelectMany(id => Enumerable.Range(1, TrainLabels.Classes).Select(c => labels.Rle(id, c))).OfType<string>().ToList();
        var masks = rles.Select(r => Rle.Decode(r)).ToList();
        if (!masks.Select(m => Rle.Encode(m)).SequenceEqual(rles))
            throw new InvalidOperationException("encode(decode(rle)) != rle");
        var hashes = Path.Combine(Path.GetTempPath(), $"steelci-rle-{Environment.ProcessId}.tsv");
        File.WriteAllLines(hashes, rles.Select((rle, i) => $"{rle}\t{Convert.ToHexStringLower(SHA256.HashData(masks[i]))}"));
        if (!Reference.Check(python, "rle"))
            return 2;
        foreach (var rle in rles) // warm-up: the timed loops run the JIT's optimised code, as a long-running loader does
            Rle.Decode(rle);
        // A fresh zeroed mask per RLE on both sides: numpy's np.zeros gets memory malloc recycles, this side rents
        // from ArrayPool (the loader itself writes into the batch tensor's memory). A new byte[] each time is
        // reported too: in these VMs the collector hands out freshly mapped pages, ~100 page faults per mask.
        var decode = rles.Count * repeats / CpuSeconds(() =>
        {
            for (var r = 0; r < repeats; r++)
                foreach (var rle in rles)
                {
                    var mask = ArrayPool<byte>.Shared.Rent(Rle.Height * Rle.Width);
                    Rle.DecodeInto<byte>(rle, mask.AsSpan(0, Rle.Height * Rle.Width), (false, false));
                    ArrayPool<byte>.Shared.Return(mask);
                }
        });
        var fresh = rles.Count * repeats / CpuSeconds(() =>
        {
            for (var r = 0; r < repeats; r++)
                foreach (var rle in rles)
                    Rle.Decode(rle);
        });
        var encode = masks.Count * repeats / CpuSeconds(() =>
        {
            for (var r = 0; r < repeats; r++)
                foreach (var mask in masks)
                    Rle.Encode(mask);
        });
        Console.WriteLine(FormattableString.Invariant(
            $"rle c# masks={rles.Count} x{repeats}: decode {decode:0} masks/cpu-s (into a new byte[] each: {fresh:0}), encode {encode:0} masks/cpu-s (single thread)"));
        var output = Reference.Run(python, "rle_reference.py", $"{repeats}", hashes);
        File.Delete(hashes);
        if (output is null)
            return 1;
        double decodeRatio = decode / Reference.Value(output, "decode", before: false), freshRatio = fresh / Reference.Value(output, "decode", before: false), encodeRatio = encode / Reference.Value(output, "encode", before: false);
        Console.WriteLine(FormattableString.Invariant($"ratio c#/numpy masks per cpu-second: decode {decodeRatio:0.00} (goal >= 1.0; new byte[] each {freshRatio:0.00}), encode {encodeRatio:0.00}"));
        return output.Contains("check: ok", StringComparison.Ordinal) ? 0 : 1;
    }

    /// <summary>User + system time of this process while <paramref name="work"/> runs (the collector's threads included).</summary>
    private static double CpuSeconds(Action work)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.TotalProcessorTime;
        work();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds;
    }
}
