using ImageScanning.ScanEngine.Images;
using ImageScanning.ScanEngine.Model;

namespace ImageScanning.ScanEngine.Tests.Images;

/// <summary>The per-image budget adds up what every layer spends: entries and kept bytes over all layers, and the layer count.</summary>
public sealed class ImageBudgetTests
{
    private const string Image = "team/app@sha256:3333333333333333333333333333333333333333333333333333333333333333";
    private static readonly LayerReader Reader = new();

    private static async Task<LayerFiles> ReadLayerAsync(int index, ImageBudget budget) =>
        (await Reader.ReadWithStatsAsync(new MemoryStream(LayerReaderTests.Tar(t => { for (var i = 0; i < 10; i++) t.File($"etc/l{index}-f{i}", "0123456789"); })),
            MediaTypes.OciLayerTar, $"sha256:layer{index}", _ => true, LayerLimits.Default, CancellationToken.None, budget: budget)).Files;

    [Test]
    public async Task Entries_over_all_layers_are_bounded_naming_the_layer_where_the_limit_was_passed()
    {
        var budget = new ImageBudget(ImageLimits.Default with { MaxEntries = 25 }, Image);
        await ReadLayerAsync(1, budget);
        await ReadLayerAsync(2, budget);

        var e = Assert.ThrowsAsync<ScanException>(() => ReadLayerAsync(3, budget));

        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.LayerTooLarge));
        Assert.That(e.Message, Is.EqualTo($"{Image} has more than 25 tar entries over all its layers, reached in layer sha256:layer3 (limit ImageLimits.MaxEntries)."));
    }

    [Test]
    public async Task Kept_bytes_over_all_layers_are_bounded_naming_the_file_and_layer()
    {
        var budget = new ImageBudget(ImageLimits.Default with { MaxKeptBytes = 150 }, Image);
        await ReadLayerAsync(1, budget);
        Assert.That(budget.KeptBytes, Is.EqualTo(100));

        var e = Assert.ThrowsAsync<ScanException>(() => ReadLayerAsync(2, budget));

        Assert.That(e!.Message, Is.EqualTo(
            $"{Image} holds more than 150 bytes of wanted files over all its layers, reached at etc/l2-f5 in layer sha256:layer2 (limit ImageLimits.MaxKeptBytes)."));
    }

    [Test]
    public void The_layer_count_is_checked_on_its_own()
    {
        var budget = new ImageBudget(ImageLimits.Default, Image);
        budget.CheckLayers(1000);
        var e = Assert.Throws<ScanException>(() => budget.CheckLayers(20_000));
        Assert.That(e!.Kind, Is.EqualTo(ScanFailureKind.UnsupportedImage));
        Assert.That(e.Message, Is.EqualTo($"{Image} has 20000 layers, more than the 1000 allowed for one image (limit ImageLimits.MaxLayers)."));
    }
}
