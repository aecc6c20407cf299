using static TorchSharp.torch;

namespace Severstal.Data;

/// <summary>A batch ready for the model: inputs [B,1,H,W] and targets as plain arrays (built off the training thread).</summary>
public sealed record PreparedBatch(int Step, float[] Input, long[] InputShape, float[] Target, long[] TargetShape)
{
    public long Bytes => 4L * (Input.Length + Target.Length);
}

/// <summary>Turns samples into float tensors [B,1,H,W], normalised, with optional flips chosen by the epoch's random.</summary>
public static class Batches
{
    public const float Mean = 0.45f;
    public const float Std = 0.2f;

    public static Tensor Images(IReadOnlyList<Sample> batch, int height, int width, IReadOnlyList<(bool H, bool V)>? flips = null) =>
        tensor(ImageArray(batch, height, width, flips), [batch.Count, 1, height, width]);

    public static Tensor Masks(IReadOnlyList<Sample> batch, int classId, int height, int width, IReadOnlyList<(bool H, bool V)>? flips = null) =>
        tensor(MaskArray(batch, classId, height, width, flips), [batch.Count, 1, height, width]);

    /// <summary>(p / 255 - Mean) / Std for every byte value: one table look-up per pixel.</summary>
    private static readonly float[] Normalised = Enumerable.Range(0, 256).Select(p => (p / 255f - Mean) / Std).ToArray();
    private static readonly float[] Identity = Enumerable.Range(0, 256).Select(p => (float)p).ToArray();

    public static float[] ImageArray(IReadOnlyList<Sample> batch, int height, int width, IReadOnlyList<(bool H, bool V)>? flips = null)
    {
        var data = new float[batch.Count * height * width];
        for (var b = 0; b < batch.Count; b++)
            Fill(batch[b].Pixels, data, b * height * width, height, width, flips?[b], Normalised);
        return data;
    }

    public static float[] MaskArray(IReadOnlyList<Sample> batch, int classId, int height, int width, IReadOnlyList<(bool H, bool V)>? flips = null)
    {
        var data = new float[batch.Count * height * width];
        for (var b = 0; b < batch.Count; b++)
            if (batch[b].Masks[classId - 1] is { } mask)
                Fill(mask, data, b * height * width, height, width, flips?[b], Identity);
        return data;
    }

    public static List<(bool H, bool V)> RandomFlips(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (random.Next(2) == 1, random.Next(2) == 1)).ToList();

    private static void Fill(byte[] source, float[] target, int offset, int height, int width, (bool H, bool V)? flip, float[] table)
    {
        var (h, v) = flip ?? (false, false);
        for (var y = 0; y < height; y++)
        {
            var from = (v ? height - 1 - y : y) * width;
            var to = offset + y * width;
            if (h)
                for (var x = 0; x < width; x++)
                    target[to + x] = table[source[from + width - 1 - x]];
            else
                for (var x = 0; x < width; x++)
                    target[to + x] = table[source[from + x]];
        }
    }
}
