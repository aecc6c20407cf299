using System.Diagnostics;
using System.Globalization;
using Severstal.Data;

/// <summary>RLE decode and encode of every mask of a train.csv, against numpy doing the same, same masks, same run.</summary>
internal static class RleBench
{
    public static int Run(string folder, int repeats, string python)
    {
        var labels = TrainLabels.Load(folder);
        var rles = labels.Images.SelectMany(id => Enumerable.Range(1, TrainLabels.Classes).Select(c => labels.Rle(id, c))).OfType<string>().ToList();
        var masks = rles.Select(r => Rle.Decode(r)).ToList();
        var clock = Stopwatch.StartNew();
        for (var r = 0; r < repeats; r++)
            foreach (var rle in rles)
                Rle.Decode(rle);
        var decode = rles.Count * repeats / clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (var r = 0; r < repeats; r++)
            foreach (var mask in masks)
                Rle.Encode(mask);
        var encode = masks.Count * repeats / clock.Elapsed.TotalSeconds;
        if (!masks.Select(m => Rle.Encode(m)).SequenceEqual(rles))
            throw new InvalidOperationException("encode(decode(rle)) != rle");
        Console.WriteLine(FormattableString.Invariant($"rle c# masks={rles.Count} x{repeats}: decode {decode:0} masks/s, encode {encode:0} masks/s (single thread)"));
        if (!File.Exists(python))
            return 0;
        var start = new ProcessStartInfo(python, [Path.Combine(AppContext.BaseDirectory, "rle_reference.py"), folder, $"{repeats}"]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Console.Write(output);
        var words = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double Value(string after) => double.Parse(words[Array.IndexOf(words, after) + 1], CultureInfo.InvariantCulture);
        Console.WriteLine(FormattableString.Invariant($"ratio c#/numpy masks/s: decode {decode / Value("decode"):0.00}, encode {encode / Value("encode"):0.00}"));
        return 0;
    }
}
