using Augur.OnnxRuntime.Fusion;
using Augur.Tensors;

namespace Augur.OnnxRuntime.Tests.Fusion;

public sealed class TextNgramsEmitterTests
{
    /// <summary>Rows of different token counts, with the edge cases the spec names.</summary>
    private static readonly string[] EdgeRows =
    [
        "",
        "one",
        "Hello World hello world",
        "a\tb\nc\r\nd   e",
        "  \t ",
        "  ÉCOLE  école ünïcode 😀 ",
        "the the the the",
        "x y",
        "UPPER lower MiXeD",
        // Not ASCII whitespace, so no separators: no-break space, vertical tab, form feed, em space.
        "a\u00a0b c\vd e\ff g\u2003h",
    ];

    [Fact]
    public void CountsNgramsByHand()
    {
        using var text = FusedGraphs.Text("", "one", "a b c", "the the the");

        // One bucket holds every n-gram: 0; 1 (no bigram); 3 unigrams + 2 bigrams; 3 + 2 (repeated).
        Assert.Equal([0f, 1f, 5f, 5f], FusedGraphs.Run<float>(Build(1, 1, 2, true, 0), ("text", text)));
        Assert.Equal([0f, 0f, 3f, 3f], FusedGraphs.Run<float>(Build(1, 2, 3, true, 0), ("text", text)));
        Assert.Equal([0f, 0f, 1f, 1f], FusedGraphs.Run<float>(Build(1, 3, 3, true, 0), ("text", text)));
    }

    [Fact]
    public void LowerCasesThenHashesByHand()
    {
        using var text = FusedGraphs.Text("HELLO  hello\tHeLLo");

        // murmur3("hello", 0) = 0x248bfa47, bucket 7 of 16: all three tokens, once lower-cased.
        var features = FusedGraphs.Run<float>(Build(16, 1, 1, true, 0), ("text", text));

        Assert.Equal(3f, features[7]);
        Assert.Equal(3f, features.Sum());
        Assert.Equal(1f, FusedGraphs.Run<float>(Build(16, 1, 1, false, 0), ("text", text))[7]);
    }

    [Theory]
    [InlineData(4096, 1, 1, true, 0u)]
    [InlineData(4096, 1, 2, true, 0u)]
    [InlineData(4096, 1, 3, false, 42u)]
    [InlineData(7, 2, 3, true, 0xdeadbeefu)]
    [InlineData(64, 3, 3, true, 1u)]
    [InlineData(1, 1, 3, false, 0u)]
    public void GivesTheSpecsCounts(int buckets, int ngramMin, int ngramMax, bool lowercase, uint seed)
    {
        using var text = FusedGraphs.Text(EdgeRows);

        var features = FusedGraphs.Run<float>(Build(buckets, ngramMin, ngramMax, lowercase, seed), ("text", text));

        Assert.Equal(SpecFeaturizers.TextNgrams(EdgeRows, buckets, ngramMin, ngramMax, lowercase, seed), features);
    }

    [Theory]
    [InlineData("one")]
    [InlineData("")]
    public void OneRow_GivesTheSpecsCounts(string row)
    {
        using var text = FusedGraphs.Text(row);
        var model = Build(32, 1, 2, true, 0);

        Assert.Equal([1L, 32L], FusedGraphs.OutputShape(model, ("text", text)));
        Assert.Equal(SpecFeaturizers.TextNgrams([row], 32, 1, 2, true, 0), FusedGraphs.Run<float>(model, ("text", text)));
    }

    [Fact]
    public void RowsWithoutTokens_GiveZeros()
    {
        // Every row is empty, so the tokens are [B, 0] and every n-gram slice is empty.
        using var text = FusedGraphs.Text("", " \t\r\n ");
        var model = Build(8, 1, 3, true, 0);

        Assert.Equal([2L, 8L], FusedGraphs.OutputShape(model, ("text", text)));
        Assert.All(FusedGraphs.Run<float>(model, ("text", text)), count => Assert.Equal(0f, count));
    }

    [Fact]
    public void LowerCasesAsciiLettersOnly()
    {
        // Each letter of ASCII, Latin-1, Latin Extended-A and B, Greek and Cyrillic is a row, U+0130 (İ) included, which
        // StringNormalizer in C.UTF-8 would make i (design note 0014): in locale C only A–Z change, as the spec says.
        var rows = Enumerable.Range('A', 26).Concat(Enumerable.Range(0x00c0, 0x0250 - 0x00c0)).Concat(Enumerable.Range(0x0370, 0x0530 - 0x0370))
            .Where(c => char.IsLetter((char)c))
            .Select(c => $"{(char)c}x")
            .ToArray();
        using var text = FusedGraphs.Text(rows);

        var features = FusedGraphs.Run<float>(Build(4096, 1, 1, true, 0), ("text", text));

        Assert.True(rows.Length > 600);
        Assert.Equal(SpecFeaturizers.TextNgrams(rows, 4096, 1, 1, true, 0), features);
        Assert.Equal(SpecFeaturizers.TextNgrams(["İx", "Éx", "ax"], 4096, 1, 1, false, 0), FusedGraphs.Run<float>(Build(4096, 1, 1, true, 0), ("text", FusedGraphs.Text("İx", "Éx", "Ax"))));
    }

    [Fact]
    public void AtTheNewestOpset_GivesTheSpecsCounts()
    {
        // 26 is the newest default-domain opset ONNX Runtime 1.31.1 loads; none of the operators changed after 20.
        var graph = FusedGraphs.New(opset: 26).AddInput("text", DataType.Bytes, -1, 1);
        TextNgramsEmitter.Emit(graph, "grams", "text", "features", 64, 1, 3, true, 3);
        var model = graph.AddOutput("features", DataType.Fp32, -1, 64).ToBytes();
        using var text = FusedGraphs.Text(EdgeRows);

        Assert.Equal(SpecFeaturizers.TextNgrams(EdgeRows, 64, 1, 3, true, 3), FusedGraphs.Run<float>(model, ("text", text)));
    }

    [Fact]
    public void TwoFeaturizersLiveInOneGraph()
    {
        var graph = FusedGraphs.New().AddInput("title", DataType.Bytes, -1, 1).AddInput("body", DataType.Bytes, -1, 1);
        TextNgramsEmitter.Emit(graph, "title_grams", "title", "title_features", 16, 1, 1, true, 0);
        TextNgramsEmitter.Emit(graph, "body_grams", "body", "body_features", 32, 1, 2, false, 5);
        ConcatEmitter.Emit(graph, ["title_features", "body_features"], "features");
        var model = graph.AddOutput("features", DataType.Fp32, -1, 48).ToBytes();
        string[] titles = ["A Title", ""];
        string[] bodies = ["some body text", "More"];
        using var title = FusedGraphs.Text(titles);
        using var body = FusedGraphs.Text(bodies);

        var features = FusedGraphs.Run<float>(model, ("title", title), ("body", body));

        var expected = SpecFeaturizers.Concat(2,
            (SpecFeaturizers.TextNgrams(titles, 16, 1, 1, true, 0), 16),
            (SpecFeaturizers.TextNgrams(bodies, 32, 1, 2, false, 5), 32));
        Assert.Equal(expected, features);
    }

    [Fact]
    public void RefusesSettingsOutOfRange()
    {
        var graph = FusedGraphs.New().AddInput("text", DataType.Bytes, -1, 1);

        Assert.Throws<ArgumentException>(() => TextNgramsEmitter.Emit(graph, "a", "text", "y", 8, 2, 1, true, 0));
        Assert.Throws<ArgumentException>(() => TextNgramsEmitter.Emit(graph, "b", "text", "y", 8, 1, 4, true, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextNgramsEmitter.Emit(graph, "c", "text", "y", 0, 1, 1, true, 0));
        Assert.Throws<ArgumentException>(() => TextNgramsEmitter.Emit(FusedGraphs.New(opset: 19).AddInput("text", DataType.Bytes, -1, 1), "d", "text", "y", 8, 1, 1, true, 0));
    }

    [Fact]
    public void InvalidUtf8_FailsTheRun()
    {
        // The C# featurizers read bytes; ONNX Runtime's string operators refuse text that is not UTF-8 (design note 0014).
        using var text = OrtTestTensors.CreateStrings([[0x61, 0xff, 0x62]], 1, 1);

        var error = Assert.ThrowsAny<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(() => FusedGraphs.Run<float>(Build(8, 1, 1, true, 0), ("text", text)));
        Assert.Contains("UTF-8", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] Build(int buckets, int ngramMin, int ngramMax, bool lowercase, uint seed)
    {
        var graph = FusedGraphs.New().AddInput("text", DataType.Bytes, -1, 1);
        TextNgramsEmitter.Emit(graph, "grams", "text", "features", buckets, ngramMin, ngramMax, lowercase, seed);
        return graph.AddOutput("features", DataType.Fp32, -1, buckets).ToBytes();
    }
}
