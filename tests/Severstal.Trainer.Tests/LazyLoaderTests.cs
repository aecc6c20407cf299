using Severstal.Data;
using SteelCI.Testing;
using StbImageSharp;
using static TorchSharp.torch;

namespace Severstal.Trainer.Tests;

/// <summary>
/// The per-batch loader (libvips writing into the batch tensor, RLE runs written in place) builds the same batches as
/// the preloaded path, flips included, and its decoder agrees with an independent one (StbImageSharp).
/// </summary>
[Collection("torch")]
public sealed class LazyLoaderTests
{
    [Theory]
    [InlineData(256, 1600)]
    [InlineData(64, 400)]
    public void Per_batch_decoding_writes_the_same_batches_as_preloading(int height, int width)
    {
        using var data = new TempDirectory("lazy");
        new SyntheticSeverstal(seed: 4).Write(data.Path, 16, 0);
        var labels = TrainLabels.Load(data.Path);
        var ids = labels.Images.ToList();
        var lazy = new LazySamples(data.Path, labels, ids, height, width);
        var preloaded = new PreloadedSamples(SeverstalSet.Load(data.Path, labels, ids, height, width), height, width);
        int[] indices = [.. Enumerable.Range(0, ids.Count)];
        var flips = Enumerable.Range(0, ids.Count).Select(i => (i % 2 == 1, i % 4 >= 2)).ToList();
        var checkedClasses = 0;
        for (var classId = 1; classId <= TrainLabels.Classes; classId++)
        {
            if (!ids.Any(id => labels.Has(id, classId)))
                continue;
            checkedClasses++;
            using var a = Batches.Segmentation(lazy, indices, flips, 0, classId, height, width);
            using var b = Batches.Segmentation(preloaded, indices, flips, 0, classId, height, width);
            Assert.True(a.Input.eq(b.Input).all().item<bool>(), $"images differ at {width}x{height}");
            Assert.True(a.Target.eq(b.Target).all().item<bool>(), $"class {classId} masks differ at {width}x{height}");
            Assert.True(a.Target.sum().item<float>() > 0, $"class {classId}: no mask pixel at all");
        }
        Assert.True(checkedClasses >= 3, $"only {checkedClasses} classes occur in the generated set");
    }

    [Fact]
    public void Rle_written_in_place_with_flips_equals_the_decoded_mask_flipped()
    {
        const int H = 4, W = 5;
        var mask = Rle.Decode("2 3 9 6 20 1", H, W);
        foreach (var flip in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            var expected = new float[H * W];
            Batches.Fill(mask, expected, H, W, flip, Batches.Identity);
            var written = Enumerable.Repeat(7f, H * W).ToArray(); // cleared first
            Rle.DecodeInto<float>("2 3 9 6 20 1", written, flip, H, W);
            Assert.Equal(expected, written);
        }
    }

    [Fact]
    public void Libvips_gray_pixels_agree_with_an_independent_decoder_within_two_levels()
    {
        using var data = new TempDirectory("vips");
        new SyntheticSeverstal(seed: 9).Write(data.Path, 4, 0);
        foreach (var path in Directory.GetFiles(Path.Combine(data.Path, "train_images")))
        {
            var vips = VipsJpeg.Decode(path, 256, 1600);
            ImageResult stb;
            using (var stream = File.OpenRead(path))
                stb = ImageResult.FromStream(stream, ColorComponents.Grey);
            Assert.Equal(stb.Data.Length, vips.Length);
            var worst = vips.Zip(stb.Data, (x, y) => Math.Abs(x - y)).Max();
            Assert.InRange(worst, 0, 2);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_jpeg_is_refused_with_its_path()
    {
        using var data = new TempDirectory("notjpeg");
        var path = data.Write("x.jpg", "not a jpeg");
        var error = Assert.Throws<InvalidDataException>(() => VipsJpeg.Decode(path, 256, 1600));
        Assert.Contains(path, error.Message);
    }
}
