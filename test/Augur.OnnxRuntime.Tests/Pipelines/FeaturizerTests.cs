using System.Text;
using Augur.OnnxRuntime.Pipelines.Featurizers;
using Augur.Tensors;
using static Augur.OnnxRuntime.Tests.Pipelines.Featurize;

namespace Augur.OnnxRuntime.Tests.Pipelines;

/// <summary>
/// Each featurizer against a computation by hand. Bucket numbers are MurmurHash3 x86_32 (seed 0 unless said) of the
/// n-gram's UTF-8 mod the buckets, worked out with a separate transcription of the reference C code:
/// hello 613153351, world 4220927227, "hello hello" 3521918140, "hello world" 1586663183, café 605818632.
/// </summary>
public sealed class FeaturizerTests
{
    [Fact]
    public void Scale_subtracts_the_offset_and_multiplies_by_the_scale_per_column()
    {
        var scale = Create("scale", """{"offset": [1, -2], "scale": [0.5, 4]}""");

        var output = Run(scale, InferenceTensor.Create("x", new[] { 3f, 0f, 1f, -2.5f, -1f, 1f }, 3, 2));

        Assert.Equal([3L, 2L], output.Shape.ToArray());
        Assert.Equal([1f, 8f, 0f, -2f, -1f, 12f], output.ToArray<float>());
        Assert.Equal("FP32 [-1,2]", Infer(scale, Tensor("x", DataType.Fp32, -1, -1)));
    }

    [Fact]
    public void Scale_computes_in_fp32_as_an_onnx_sub_then_mul_would()
    {
        var scale = Create("scale", """{"offset": [0.1], "scale": [3.3]}""");

        var output = Run(scale, InferenceTensor.Create("x", new[] { 0.7f }, 1, 1));

        Assert.Equal((0.7f - 0.1f) * 3.3f, output.ToArray<float>()[0]);
    }

    [Fact]
    public void Scale_refuses_a_width_other_than_its_settings_at_load_and_at_run_time()
    {
        var scale = Create("scale", """{"offset": [1, 2], "scale": [1, 1]}""");

        Assert.Equal("scale reads FP32 [B, 2], but tensor 'x' (FP32 [-1,3], from step 'before') has 3 columns", InferRefusal(scale, Tensor("x", DataType.Fp32, -1, 3)));
        Assert.Equal("scale reads FP32 [B, 2], but tensor 'x' (INT64 [-1,2], from step 'before') is INT64", InferRefusal(scale, Tensor("x", DataType.Int64, -1, 2)));
        Assert.Equal("scale reads [B, 2], but tensor 'x' has shape [1,3]", RunRefusal(scale, InferenceTensor.Create("x", new float[3], 1, 3)));
    }

    [Fact]
    public void One_hot_of_integers_sets_the_categorys_column_and_leaves_unknown_values_at_zero()
    {
        var oneHot = Create("one_hot", """{"categories": [3, 7, 11]}""");

        var output = Run(oneHot, InferenceTensor.Create("x", new long[] { 7, 5, 3, 11 }, 4, 1));

        Assert.Equal([4L, 3L], output.Shape.ToArray());
        Assert.Equal([0f, 1f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 1f], output.ToArray<float>());
        Assert.Equal("FP32 [-1,3]", Infer(oneHot, Tensor("x", DataType.Int64, -1, 1)));
    }

    [Fact]
    public void One_hot_of_strings_compares_bytes_exactly()
    {
        var oneHot = Create("one_hot", """{"categories": ["red", "green", "café"]}""");

        var output = Run(oneHot, Strings("x", ["green", "Red", "café", "blue", ""], 5, 1));

        Assert.Equal(
            [0f, 1f, 0f, /* Red: case matters */ 0f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 0f, 0f],
            output.ToArray<float>());
        Assert.Equal("one_hot has string categories, so it reads BYTES [B, 1], but tensor 'x' (INT64 [-1,1], from step 'before') is INT64", InferRefusal(oneHot, Tensor("x", DataType.Int64, -1, 1)));
    }

    [Fact]
    public void Hash_buckets_hashes_each_element_into_its_bucket()
    {
        var hash = Create("hash_buckets", """{"buckets": 1000}""");
        var seeded = Create("hash_buckets", """{"buckets": 1000, "seed": 42}""");

        var output = Run(hash, Strings("x", ["hello", "world", "", "hello world"], 2, 2));

        Assert.Equal([2L, 2L], output.Shape.ToArray());
        Assert.Equal([351L, 227L, 0L, 183L], output.ToArray<long>());
        Assert.Equal([185L, 360L], Run(seeded, Strings("x", ["hello", "world"], 2, 1)).ToArray<long>());
        Assert.Equal("INT64 [-1,-1]", Infer(hash, Tensor("x", DataType.Bytes, -1, -1)));
    }

    [Fact]
    public void Hash_buckets_reads_the_hash_as_unsigned_before_the_modulo()
    {
        // 4220927227 ("world") is negative as an int32: read signed, it would land in another bucket.
        var hash = Create("hash_buckets", """{"buckets": 7}""");

        Assert.Equal([4220927227L % 7], Run(hash, Strings("x", ["world"], 1, 1)).ToArray<long>());
    }

    [Fact]
    public void Text_ngrams_counts_lower_cased_words_and_word_pairs_split_at_ascii_whitespace()
    {
        var ngrams = Create("text_ngrams", """{"buckets": 1000, "ngram_min": 1, "ngram_max": 2}""");

        var output = Run(ngrams, Strings("text", ["Hello hello\tWORLD  ", "", " \t\r\n ", "CAFÉ"], 4, 1));

        Assert.Equal([4L, 1000L], output.Shape.ToArray());
        var rows = output.ToArray<float>().Chunk(1000).ToArray();
        // hello ×2, world, "hello hello", "hello world"
        Assert.Equal(Row(1000, (351, 2), (227, 1), (140, 1), (183, 1)), rows[0]);
        Assert.Equal(Row(1000), rows[1]);
        Assert.Equal(Row(1000), rows[2]);
        // Only A–Z are lower-cased: CAFÉ is cafÉ, not café (bucket 632).
        var cased = Create("text_ngrams", """{"buckets": 1000, "lowercase": false}""");
        Assert.Equal(Run(cased, Strings("text", ["cafÉ"], 1, 1)).ToArray<float>(), rows[3]);
        Assert.Equal(0f, rows[3][632]);
        Assert.Equal("FP32 [-1,1000]", Infer(ngrams, Tensor("text", DataType.Bytes, -1, 1)));
    }

    [Fact]
    public void Text_ngrams_keeps_case_when_told_and_uses_the_seed()
    {
        var cased = Create("text_ngrams", """{"buckets": 1000, "lowercase": false}""");
        var seeded = Create("text_ngrams", """{"buckets": 1000, "seed": 42}""");

        // Hello 316307400, WORLD 883829848.
        Assert.Equal(Row(1000, (400, 1), (848, 1)), Run(cased, Strings("text", ["Hello WORLD"], 1, 1)).ToArray<float>());
        Assert.Equal(Row(1000, (185, 1), (360, 1)), Run(seeded, Strings("text", ["Hello World"], 1, 1)).ToArray<float>());
    }

    [Fact]
    public void Text_ngrams_counts_only_the_sizes_asked_for_and_a_short_row_has_none()
    {
        var pairsAndTriples = Create("text_ngrams", """{"buckets": 1000, "ngram_min": 2, "ngram_max": 3}""");

        var output = Run(pairsAndTriples, Strings("text", ["a b c", "a", "a b a b"], 3, 1)).ToArray<float>().Chunk(1000).ToArray();

        // "a b" 1033158525, "b c" 21832059, "a b c" 1326861746.
        Assert.Equal(Row(1000, (525, 1), (59, 1), (746, 1)), output[0]);
        Assert.Equal(Row(1000), output[1]);
        // "a b" twice, "b a" once, and the triples "a b a", "b a b".
        Assert.Equal(2f, output[2][525]);
        Assert.Equal(5f, output[2].Sum());
    }

    [Fact]
    public void Text_ngrams_refuses_a_row_that_is_not_utf8_naming_the_row_and_the_byte()
    {
        var ngrams = Create("text_ngrams", """{"buckets": 1000}""");

        var problem = RunRefusal(ngrams, Bytes("text", [[(byte)'o', (byte)'k'], [(byte)'a', 0xC3, (byte)'(']], 2, 1));

        Assert.Equal("tensor 'text' row 1: byte 0xC3 at offset 1 is not valid UTF-8; text_ngrams reads text", problem);
    }

    [Fact]
    public void Text_ngrams_of_a_row_do_not_depend_on_the_other_rows()
    {
        var ngrams = Create("text_ngrams", """{"buckets": 64, "ngram_max": 3}""");
        string[] texts = ["the quick brown fox", "", "jumps over the lazy dog", "THE QUICK brown fox"];

        var together = Run(ngrams, Strings("text", texts, 4, 1)).ToArray<float>();
        var alone = texts.SelectMany(t => Run(ngrams, Strings("text", [t], 1, 1)).ToArray<float>());

        Assert.Equal(alone, together);
        Assert.Equal(together[..64], together[(3 * 64)..]);
    }

    [Fact]
    public void Text_ngrams_refuses_a_tensor_wider_than_one_text_per_row()
    {
        var ngrams = Create("text_ngrams", """{"buckets": 8}""");

        Assert.Equal("text_ngrams reads BYTES [B, 1], but tensor 'text' (BYTES [-1,2], from step 'before') has 2 columns", InferRefusal(ngrams, Tensor("text", DataType.Bytes, -1, 2)));
        Assert.Equal("text_ngrams reads [B, 1], but tensor 'text' has shape [1,2]", RunRefusal(ngrams, Strings("text", ["a", "b"], 1, 2)));
    }

    [Fact]
    public void Concat_puts_its_inputs_side_by_side_row_by_row()
    {
        var concat = Create("concat");

        var output = Run(concat, InferenceTensor.Create("a", new[] { 1f, 2f, 3f, 4f }, 2, 2), InferenceTensor.Create("b", new[] { 5f, 6f }, 2, 1), InferenceTensor.Create("c", new[] { 7f, 8f, 9f, 10f, 11f, 12f }, 2, 3));

        Assert.Equal([2L, 6L], output.Shape.ToArray());
        Assert.Equal([1f, 2f, 5f, 7f, 8f, 9f, 3f, 4f, 6f, 10f, 11f, 12f], output.ToArray<float>());
        Assert.Equal("FP32 [-1,3]", Infer(concat, Tensor("a", DataType.Fp32, -1, 2), Tensor("b", DataType.Fp32, -1, 1)));
        Assert.Equal("FP32 [-1,-1]", Infer(concat, Tensor("a", DataType.Fp32, -1, 2), Tensor("b", DataType.Fp32, -1, -1)));
        Assert.Equal("concat reads two or more tensors, but inputs lists 1", InferRefusal(concat, Tensor("a", DataType.Fp32, -1, 2)));
        Assert.Equal("concat reads FP32 [B, N], but tensor 'b' (FP32 [-1,2,2], from step 'before') has 3 dimensions", InferRefusal(concat, Tensor("a", DataType.Fp32, -1, 2), Tensor("b", DataType.Fp32, -1, 2, 2)));
    }

    [Theory]
    [InlineData("text_ngrams", """{"buckets": 8, "ngrams": 2}""", "unknown setting 'ngrams' for text_ngrams; known: buckets, ngram_min, ngram_max, lowercase, seed")]
    [InlineData("text_ngrams", """{"ngram_max": 2}""", "text_ngrams needs setting 'buckets' (an integer from 1 to 1048576)")]
    [InlineData("text_ngrams", """{"buckets": "4096"}""", "setting 'buckets' must be an integer from 1 to 1048576, not \"4096\"")]
    [InlineData("text_ngrams", """{"buckets": 0}""", "setting 'buckets' must be an integer from 1 to 1048576, not 0")]
    [InlineData("text_ngrams", """{"buckets": 8, "ngram_max": 4}""", "setting 'ngram_max' must be an integer from 1 to 3, not 4")]
    [InlineData("text_ngrams", """{"buckets": 8, "ngram_min": 3, "ngram_max": 2}""", "setting 'ngram_min' (3) must not exceed 'ngram_max' (2)")]
    [InlineData("text_ngrams", """{"buckets": 8, "lowercase": "yes"}""", "setting 'lowercase' must be true or false, not \"yes\"")]
    [InlineData("hash_buckets", """{"buckets": 8, "seed": -1}""", "setting 'seed' must be an integer from 0 to 4294967295 (uint32), not -1")]
    [InlineData("hash_buckets", """{"buckets": 8, "seed": 4294967296}""", "setting 'seed' must be an integer from 0 to 4294967295 (uint32), not 4294967296")]
    [InlineData("scale", """{"offset": [1, 2], "scale": [1]}""", "settings 'offset' and 'scale' must have one number per column each, but offset has 2 and scale 1")]
    [InlineData("scale", """{"offset": [], "scale": []}""", "setting 'offset' must be a non-empty list of numbers, not []")]
    [InlineData("scale", """{"offset": [1, "2"], "scale": [1, 1]}""", "setting 'offset'[1] must be a finite FP32 number, not \"2\"")]
    [InlineData("scale", """{"offset": [1e39], "scale": [1]}""", "setting 'offset'[0] must be a finite FP32 number, not 1e39")]
    [InlineData("scale", """{"scale": [1]}""", "scale needs setting 'offset' (a list of numbers)")]
    [InlineData("one_hot", """{"categories": [1, 2, 1]}""", "setting 'categories' lists 1 twice; categories are distinct")]
    [InlineData("one_hot", """{"categories": ["a", 2]}""", "setting 'categories' mixes strings and other values: [1] is 2; give all strings or all integers")]
    [InlineData("one_hot", """{"categories": [1, 2.5]}""", "setting 'categories'[1] must be an integer (INT64) like the others, not 2.5")]
    [InlineData("one_hot", """{"categories": []}""", "setting 'categories' must be a non-empty list of distinct integers or of distinct strings, not []")]
    [InlineData("concat", """{"axis": 1}""", "unknown setting 'axis': concat has no settings")]
    [InlineData("bag_of_words", """{}""", "unknown featurizer 'bag_of_words'; known: scale, one_hot, hash_buckets, text_ngrams, concat")]
    public void Settings_that_are_unknown_of_the_wrong_type_or_out_of_range_are_refused_by_name(string kind, string settings, string problem) =>
        Assert.Equal(problem, Refusal(kind, settings));

    [Fact]
    public void Settings_that_are_left_out_take_their_defaults()
    {
        var ngrams = (TextNgramsFeaturizer)Create("text_ngrams", """{"buckets": 16}""");
        var hash = (HashBucketsFeaturizer)Create("hash_buckets", """{"buckets": 16}""");

        Assert.Equal((1, 1, true, 0u), (ngrams.NgramMin, ngrams.NgramMax, ngrams.Lowercase, ngrams.Seed));
        Assert.Equal(0u, hash.Seed);
        Assert.Equal(Encoding.UTF8.GetBytes("hello"), TextNgramsFeaturizer.LowerCase("HeLLo"u8));
        Assert.Equal(Encoding.UTF8.GetBytes("éa İi"), TextNgramsFeaturizer.LowerCase("éA İI"u8));
    }
}
