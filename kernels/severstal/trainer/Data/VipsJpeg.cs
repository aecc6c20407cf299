using NetVips;

namespace Severstal.Data;

/// <summary>
/// JPEG decoding through libvips (NetVips; libvips and its libjpeg-turbo come in the NetVips.Native package). One
/// libvips pipeline per image: load (sequential access), first band, whole-factor shrink, flips, a 256-entry float
/// table (normalisation), written straight into the caller's memory, e.g. a batch tensor's buffer.
/// The first band is the gray value: Severstal's JPEGs (and the generated ones) are gray stored as three equal bands,
/// and the EDA's <c>images_in_colour</c> counts any that are not.
/// </summary>
public static class VipsJpeg
{
    private static readonly Lock Setup = new();
    private static bool _ready;

    /// <summary>
    /// Checks libvips loaded and sets it up for many small images decoded in parallel by the caller: no operation
    /// cache (it would keep decoded images) and one libvips worker per pipeline.
    /// </summary>
    public static void EnsureReady()
    {
        lock (Setup)
        {
            if (_ready)
                return;
            if (!ModuleInitializer.VipsInitialized)
                throw new InvalidOperationException(
                    $"libvips could not be loaded (it comes with the NetVips.Native.linux-x64 package): {ModuleInitializer.Exception?.Message}");
            Cache.Max = 0;
            Cache.MaxFiles = 0;
            NetVips.NetVips.Concurrency = 1;
            _ready = true;
        }
    }

    /// <summary>The gray image at height x width, row-major bytes (whole-factor shrink by area average).</summary>
    public static byte[] Decode(string path, int height, int width)
    {
        using var gray = Open(path, height, width);
        return gray.WriteToMemory<byte>();
    }

    /// <summary>
    /// Decodes into <paramref name="into"/> (height x width floats, row-major): pixel p becomes table[p], flipped as
    /// asked. libvips writes the values into that memory directly.
    /// </summary>
    public static unsafe void DecodeInto(string path, Span<float> into, int height, int width, (bool H, bool V) flip, Image table)
    {
        if (into.Length != height * width)
            throw new ArgumentException($"target holds {into.Length} values, not {height}x{width}");
        using var gray = Open(path, height, width);
        using var horizontal = flip.H ? gray.FlipHor() : null;
        using var vertical = flip.V ? (horizontal ?? gray).FlipVer() : null;
        using var mapped = (vertical ?? horizontal ?? gray).Maplut(table);
        fixed (float* target = into)
        {
            using var wrapped = Image.NewFromMemory((IntPtr)target, (ulong)into.Length * sizeof(float), width, height, 1, Enums.BandFormat.Float);
            Run(path, () => mapped.Write(wrapped));
        }
    }

    /// <summary>A 256 x 1 float image for <see cref="DecodeInto"/>; keep it for as long as it is used.</summary>
    public static Image Table(float[] values)
    {
        EnsureReady();
        if (values.Length != 256)
            throw new ArgumentException($"a table has 256 values, not {values.Length}");
        return Image.NewFromMemory(values, 256, 1, 1, Enums.BandFormat.Float);
    }

    /// <summary>The first band, shrunk to height x width; libvips holds on to what the pipeline needs, so each step lets go of its input.</summary>
    private static Image Open(string path, int height, int width)
    {
        EnsureReady();
        var image = Run(path, () => Image.NewFromFile(path, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error));
        var problem = image.Width % width != 0 || image.Height % height != 0
            ? $"{image.Width}x{image.Height} cannot be shrunk to {width}x{height} by whole factors"
            : image.Format != Enums.BandFormat.Uchar ? $"{image.Format} pixels, not 8-bit" : null;
        if (problem is not null)
        {
            image.Dispose();
            throw new InvalidDataException($"{path}: {problem}");
        }
        if (image.Bands > 1)
            image = Then(image, image.ExtractBand(0));
        if (image.Width != width || image.Height != height)
            image = Then(image, image.Shrink(image.Width / (double)width, image.Height / (double)height));
        return image;
    }

    private static Image Then(Image input, Image output)
    {
        input.Dispose();
        return output;
    }

    private static T Run<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (VipsException error)
        {
            throw new InvalidDataException($"{path}: {error.Message.Trim()}", error);
        }
    }

    private static void Run(string path, Action action) => Run(path, () => { action(); return 0; });
}
