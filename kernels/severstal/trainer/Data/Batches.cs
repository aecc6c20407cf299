using static TorchSharp.torch;

namespace Severstal.Data;

/// <summary>
/// A batch ready for the model, built off the training thread: inputs [B,1,H,W] and targets as CPU tensors whose
/// memory the sample source wrote directly. The consumer disposes it after its step.
/// </summary>
public sealed class PreparedBatch(int step, Tensor input, Tensor target) : IDisposable
{
    public int Step => step;
    public Tensor Input => input;
    public Tensor Target => target;
    public long Bytes => input.NumberOfElements * input.ElementSize + target.NumberOfElements * target.ElementSize;

    public void Dispose()
    {
        input.Dispose();
        target.Dispose();
    }
}

/// <summary>Turns samples into float tensors [B,1,H,W], normalised, with optional flips chosen by the epoch's random.</summary>
public static class Batches
{
    public const float Mean = 0.45f;
    public const float Std = 0.2f;

    /// <summary>(p / 255 - Mean) / Std for every byte value: one table look-up per pixel.</summary>
    public static readonly float[] Normalised = Enumerable.Range(0, 256).Select(p => (p / 255f - Mean) / Std).ToArray();

    /// <summary>0..255 as floats: masks (0/1) pass through unchanged.</summary>
    public static readonly float[] Identity = Enumerable.Range(0, 256).Select(p => (float)p).ToArray();

    /// <summary>A segmenter's batch: images and the class's masks, written by the source in parallel (one image per task).</summary>
    public static PreparedBatch Segmentation(ISampleSource source, int[] indices, IReadOnlyList<(bool H, bool V)> flips, int step,
        int classId, int height, int width)
    {
        var input = empty(indices.Length, 1, height, width);
        var target = empty(indices.Length, 1, height, width);
        var plane = height * width;
        IntPtr inputs = DataOf(input), targets = DataOf(target);
        Parallel.For(0, indices.Length, b =>
        {
            source.WriteImage(indices[b], Floats(inputs, b * plane, plane), flips[b]);
            source.WriteMask(indices[b], classId, Floats(targets, b * plane, plane), flips[b]);
        });
        return new PreparedBatch(step, input, target);
    }

    /// <summary>A classifier's batch: images and the per-sample targets (<paramref name="target"/> of the sample's index).</summary>
    public static PreparedBatch Classification(ISampleSource source, int[] indices, IReadOnlyList<(bool H, bool V)> flips, int step,
        int height, int width, Func<int, float[]> target)
    {
        var input = empty(indices.Length, 1, height, width);
        var plane = height * width;
        var inputs = DataOf(input);
        Parallel.For(0, indices.Length, b => source.WriteImage(indices[b], Floats(inputs, b * plane, plane), flips[b]));
        var targets = indices.Select(target).ToList();
        return new PreparedBatch(step, input, tensor(targets.SelectMany(t => t).ToArray(), [indices.Length, targets[0].Length]));
    }

    /// <summary>The address of a contiguous CPU tensor's memory (libtorch's, it does not move).</summary>
    public static unsafe IntPtr DataOf(Tensor tensor) =>
        (IntPtr)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(tensor.bytes));

    /// <summary>A view of <paramref name="count"/> floats of a tensor's memory, from element <paramref name="offset"/>.</summary>
    public static unsafe Span<float> Floats(IntPtr data, int offset, int count) => new((float*)data + offset, count);

    public static Tensor Images(IReadOnlyList<Sample> batch, int height, int width, IReadOnlyList<(bool H, bool V)>? flips = null) =>
        tensor(ImageArray(batch, height, width, flips), [batch.Count, 1, height, width]);

    public static Tensor Masks(IReadOnlyList<Sample> batch, int classId, int height, int width, IReadOnlyList<(bool H, bool V)>? flips = null) =>
        tensor(MaskArray(batch, classId, height, width, flips), [batch.Count, 1, height, width]);

    public static float[] ImageArray(IReadOnlyList<Sample> batch, int height, int width, IReadOnlyList<(bool H, bool V)>? flips = null)
    {
        var data = new float[batch.Count * height * width];
        for (var b = 0; b < batch.Count; b++)
            Fill(batch[b].Pixels, data.AsSpan(b * height * width, height * width), height, width, flips?[b] ?? default, Normalised);
        return data;
    }

    public static float[] MaskArray(IReadOnlyList<Sample> batch, int classId, int height, int width, IReadOnlyList<(bool H, bool V)>? flips = null)
    {
        var data = new float[batch.Count * height * width];
        for (var b = 0; b < batch.Count; b++)
            if (batch[b].Masks[classId - 1] is { } mask)
                Fill(mask, data.AsSpan(b * height * width, height * width), height, width, flips?[b] ?? default, Identity);
        return data;
    }

    public static List<(bool H, bool V)> RandomFlips(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (random.Next(2) == 1, random.Next(2) == 1)).ToList();

    /// <summary>table[source pixel] into <paramref name="target"/> (height x width, row-major), flipped as asked.</summary>
    public static void Fill(byte[] source, Span<float> target, int height, int width, (bool H, bool V) flip, float[] table)
    {
        var (h, v) = flip;
        for (var y = 0; y < height; y++)
        {
            var from = (v ? height - 1 - y : y) * width;
            var row = target.Slice(y * width, width);
            if (h)
                for (var x = 0; x < width; x++)
                    row[x] = table[source[from + width - 1 - x]];
            else
                for (var x = 0; x < width; x++)
                    row[x] = table[source[from + x]];
        }
    }
}
