package dev.jchat.data.dedup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jchat.data.text.WordTokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bit-for-bit parity with numpy and datatrove v0.2.0. Every expected value below was produced by CPython 3.11
 * with Debian 12's python3-numpy 1.24.2 and python3-nltk 3.8 ({@code apt-get install python3-numpy
 * python3-nltk}, run with /usr/bin/python3); the script is at the end of this file.
 */
class MinhashGoldenTest {

    // python3 -c "import numpy as np; p=np.uint64((1<<61)-1); g=np.random.RandomState(1);
    //   print(g.randint(1,p,dtype=np.uint64,size=(1,112))); print(g.randint(0,p,dtype=np.uint64,size=(1,112)))"
    private static final long[] A = {
            775169054918279404L, 1758426461858698313L, 2109959069025162L, 965365488286768774L,
            401325382989534145L, 1703346441743126658L, 1130051441076870728L, 1762784241922636285L,
            401538927472639258L, 716042322565387541L, 815244983797985638L, 1110853719534651861L,
            1465635305079316733L, 57506563652686493L, 505211975917066639L, 838727479550634565L,
            780385900265431000L, 1082636226378482418L, 283838892089191903L, 1348484356917986391L,
            936072031995811818L, 1720372350978982920L, 1169969703377029950L, 1241883087124931898L,
            25625226007148417L, 361679113657972946L, 1568788725991793369L, 720433610630797940L,
            826975332961259499L, 57968974610545097L, 1814178924063827016L, 850535481772967367L,
            1529041984443575858L, 611791605100360196L, 1233664984050117401L, 1208550132088437804L,
            1134491820483890203L, 1561068142528832849L, 337359223002198900L, 2662096424693203L,
            2100366343476833345L, 2272005282452877338L, 561592535218511587L, 724575788541486984L,
            1904183826989973146L, 1344648193880622103L, 619727673435799236L, 804538942828528767L,
            696832086074912126L, 92760730228048028L, 357257325660623162L, 993090257743735975L,
            1598006598579725601L, 286785215429783307L, 2150395256084530832L, 984365201973288024L,
            1367228525499322312L, 400821414621316445L, 1647396391822001343L, 1379048364047586209L,
            1887737050569905304L, 720455784159192386L, 1280206955645314894L, 722729898864855937L,
            921478673934505214L, 662171862886500103L, 715634959063503318L, 274655559890433539L,
            1283796700206534620L, 1596658653041296076L, 523922820580841550L, 230117649494758476L,
            263352056799233068L, 1058682450511224351L, 418313753765229416L, 744403489731186478L,
            968612313319578170L, 1803461786564664829L, 14980651099439201L, 1863084026736552971L,
            153220345614122877L, 2281349539356141448L, 17384899557965977L, 1824352345109249501L,
            367604757747313057L, 385282673040866498L, 979359603628154429L, 1657256394417291417L,
            709120483056161652L, 2244889800033437827L, 2116689543321462493L, 1374084313144276835L,
            1381884949962268343L, 1446033029236275690L, 611266146699233751L, 2066532958085233347L,
            523509680078012392L, 1359146662721091127L, 52948149690579846L, 2160942293751064747L,
            1413848896402184823L, 499133954986498327L, 201846032685059982L, 1978777819965811315L,
            618614248984827574L, 2275592508583382027L, 291850381902561464L, 1004189732771057209L,
            1215583606649627030L, 2256458337378950241L, 873278286232559572L, 223865076026037746L,
    };
    private static final long[] B = {
            1062448801025099917L, 1324811268927594100L, 1217488311597731462L, 100775521383383736L,
            71503144720579471L, 885896412999398395L, 1596100048030278082L, 2292394638421159733L,
            366723709801908644L, 483507374032440056L, 522162562461265192L, 2235949585210378459L,
            2029657444881885553L, 716306739587483085L, 974393427803837902L, 1697670337010853719L,
            2290593402415132572L, 538343888607264301L, 1581979269522776948L, 1744983512659606478L,
            1125808846525888896L, 343981791039746111L, 934007963372074531L, 1991773790767872477L,
            1053404851543353986L, 237237038733719123L, 2094477501324246838L, 2252746632473157885L,
            1037449266289342519L, 211311645193258271L, 1105286383762747614L, 2238391591237301384L,
            821837035338323555L, 1982916584933322248L, 1857759398970506189L, 1623110274942190159L,
            1101583836342502208L, 231616986851349715L, 1327691181208577137L, 1702197838485543700L,
            1256231807310832911L, 1444255381494669787L, 42902454742971891L, 2191950179549041915L,
            1299194599953098987L, 1500807354596368775L, 1752809426824068149L, 1786176085821440878L,
            2118567300926164723L, 2190914504203751524L, 2212792323624167200L, 1456940403417483715L,
            586447722759106259L, 342670382210209374L, 1291680585167188655L, 2053954687016252293L,
            1961432329506782783L, 1270084851437757527L, 1242617054144874282L, 2095848151477744322L,
            1471039734164907746L, 94837956732254865L, 939828747546450752L, 2219778448427847156L,
            815952863767273617L, 275217274352977059L, 1223661685133629084L, 2215162532383274790L,
            87022673460369866L, 1571183205760722246L, 50831080378748134L, 1227381464362988592L,
            190280048193181630L, 1010043456706110057L, 1262389667950943488L, 266756186393216503L,
            455086835550584083L, 918794838454833776L, 245282199234122803L, 1216767326165072010L,
            2030358702377275716L, 409112435725675790L, 605345743814266389L, 1050949148475592060L,
            257361052164127160L, 2017374420125007056L, 2154180424385901110L, 1365360136487033415L,
            1386754629279803918L, 1045066892334153871L, 749055048214673205L, 305592579266007545L,
            276843534351670229L, 2047416485587801838L, 1924188903974864428L, 913997788746244246L,
            944130688119949750L, 806739497089626636L, 366640366875901243L, 1628156380473706444L,
            903072637067301591L, 24525324454322813L, 185927603917723084L, 104448596761453350L,
            397062628907991664L, 1346062807897531205L, 1422529324905212321L, 277051278387475866L,
            944404313172274117L, 1513805725792048436L, 110622250926641691L, 1097409548522419201L,
    };

    @Test
    void datatrovePermutationParametersMatchNumpy() {
        long[][] params = MinhashSigner.parameters(MinhashConfig.FINEWEB);
        assertArrayEquals(A, params[0]);
        assertArrayEquals(B, params[1]);
    }

    @Test
    void mt19937OutputsMatchNumpy() {
        // np.random.RandomState(5489).randint(0, 2**32, dtype=np.uint64, size=3): the reference MT19937 stream
        assertArrayEquals(new long[] {3499211612L, 581869302L, 3890346734L},
                new NumpyRandomState(5489).randintUint64(0, 1L << 32, 3));
        // np.random.RandomState(1).randint(0, 2**32, dtype=np.uint64, size=3)
        assertArrayEquals(new long[] {1791095845L, 4282876139L, 3093770124L},
                new NumpyRandomState(1).randintUint64(0, 1L << 32, 3));
        // np.random.RandomState([1, 2, 3]).randint(0, 2**32, dtype=np.uint64, size=3): init_by_array
        assertArrayEquals(new long[] {2619334238L, 1552691353L, 3808334787L},
                new NumpyRandomState(new long[] {1, 2, 3}).randintUint64(0, 1L << 32, 3));
        // np.random.RandomState(7).randint(10, 1000, dtype=np.uint64, size=6): masked 32-bit rejection
        assertArrayEquals(new long[] {185, 206, 547, 512, 589, 221},
                new NumpyRandomState(7).randintUint64(10, 1000, 6));
        // np.random.RandomState(7).randint(0, 2**64, dtype=np.uint64, size=2): full range, next64 = hi << 32 | lo
        assertArrayEquals(new long[] {1407639518939636932L, Long.parseUnsignedLong("14386962423634995702")},
                new NumpyRandomState(7).randintUint64Closed(0, -1L, 2));
    }

    @Test
    void sha1Hash64MatchesDatatrove() {
        // struct.unpack("<Q", hashlib.sha1(s.encode("utf-8")).digest()[:8])[0]
        assertEquals(Long.parseUnsignedLong("12313522834835307089"),
                MinhashSigner.sha1Hash64("the quick brown fox jumps".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Long.parseUnsignedLong("11267947718192321611"),
                MinhashSigner.sha1Hash64("caf\u00e9 0\u00bd \u2018 \ud83d\ude00 x".getBytes(StandardCharsets.UTF_8)));
        assertEquals(957977401221134810L, MinhashSigner.sha1Hash64(new byte[0]));
    }

    /** text → simplify_text (v0.2.0 and HEAD) → word_tokenize → band 0 and SHA-1 of all 112 values. */
    record Golden(String text, String simplified, String simplifiedHead, List<String> tokens, long[] band0,
                  String signatureSha1) {}

    private static final List<Golden> GOLDEN = List.of(
            new Golden("The quick brown fox jumps over the lazy dog.",
                    "the quick brown fox jumps over the lazy dog",
                    "the quick brown fox jumps over the lazy dog",
                    List.of("the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"),
                    new long[] {585594454516184072L, 284080765670708113L, 594234408324153881L, 226360113463360020L, 42312182183823545L, 295150809832830541L, 316606424307206655L, 439255022718586444L},
                    "66709a19066324f1b8e656227e4a698ea34cf4e3"),
            new Golden("Hello, World! It's 2024-04-22 and I cannot believe we're gonna ship v0.2.0 \u2014 \"finally\".",
                    "hello world its 0 and i cannot believe were gonna ship v0  finally",
                    "hello world it s 0 0 0 and i cannot believe we re gonna ship v0 0 finally",
                    List.of("hello", "world", "its", "0", "and", "i", "can", "not", "believe", "were", "gon", "na", "ship", "v0", "finally"),
                    new long[] {10049788649437830L, 10051241592810526L, 69603131905820526L, 14269217471526612L, 38905539295276247L, 159150430569322544L, 97751642213286245L, 89802171029160046L},
                    "a3d7b0111d73badd3de04082dab4d271bcd05296"),
            new Golden("Caf\u00e9 d\u00e9j\u00e0 vu: na\u00efve co\u00f6peration at the \u00c5ngstr\u00f6m fa\u00e7ade, 3\u00bd times; \u2018quoted\u2019 \u00abtext\u00bb here.",
                    "cafe deja vu naive cooperation at the angstrom facade 0\u00bd times \u2018quoted text here",
                    "cafe deja vu naive cooperation at the angstrom facade 0\u00bd times \u2018quoted text here",
                    List.of("cafe", "deja", "vu", "naive", "cooperation", "at", "the", "angstrom", "facade", "0\u00bd", "times", "\u2018", "quoted", "text", "here"),
                    new long[] {18826665025516086L, 32293386875305607L, 157035491618320772L, 390733722706474388L, 44838935262259212L, 255429126499687952L, 461616228428396348L, 54606003513080035L},
                    "2cfd503d071cb4cd0e6f08a051b363cbbe1e6ed7"),
            new Golden("Tab\tseparated\u00a0words\u2003with\u001cstrange\u0085spaces and   runs\n\nof newlines wanna go",
                    "tab separated words with strange spaces and runs of newlines wanna go",
                    "tab separated words with strange spaces and runs of newlines wanna go",
                    List.of("tab", "separated", "words", "with", "strange", "spaces", "and", "runs", "of", "newlines", "wan", "na", "go"),
                    new long[] {66893579972205462L, 296166570623665084L, 147259736741340539L, 258848475043271230L, 210053752438458370L, 201047924861931238L, 13898724738958297L, 41841868106832986L},
                    "01df7aec2f3b8dc5eef7219f01330ff25502cd3a"),
            new Golden("Only four words here",
                    "only four words here",
                    "only four words here",
                    List.of("only", "four", "words", "here"),
                    null,
                    null),
            new Golden("one two three four five",
                    "one two three four five",
                    "one two three four five",
                    List.of("one", "two", "three", "four", "five"),
                    new long[] {2197995514412817304L, 764261876401202511L, 1749030628744068360L, 484689502443266716L, 783048005818928694L, 387668703892041544L, 695378836061077622L, 1619723190258769608L},
                    "27d6ef375542154281d7d5d16f3dd60dda1f4ae7"),
            new Golden("\u0130stanbul \u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3 wanna\u00a9 g\u0131mme \u00b1cannot x\u00a9gotta lemme 12,345.67 \u0663\u0664\u0665 numbers \u2018gimme\u2019 \ud83d\ude00 emoji\u0301s \ufb01ne",
                    "istanbul \u03c3\u03b9\u03c3\u03c5\u03c6\u03bf\u03c2 wanna\u00a9 g\u0131mme \u00b1cannot x\u00a9gotta lemme 0 0 numbers \u2018gimme \ud83d\ude00 emojis \ufb01ne",
                    "istanbul \u03c3\u03b9\u03c3\u03c5\u03c6\u03bf\u03c2 wanna\u00a9 g\u0131mme \u00b1cannot x\u00a9gotta lemme 0 0 0 numbers \u2018gimme \ud83d\ude00 emojis \ufb01ne",
                    List.of("istanbul", "\u03c3\u03b9\u03c3\u03c5\u03c6\u03bf\u03c2", "wanna\u00a9", "g\u0131m", "me", "\u00b1", "can", "not", "x\u00a9", "got", "ta", "lem", "me", "0", "0", "numbers", "\u2018", "gim", "me", "\ud83d\ude00", "emojis", "\ufb01ne"),
                    new long[] {124719825598102808L, 127852515526990092L, 26643107997754328L, 214256803858048L, 170364015545554821L, 17426694660097415L, 69871187930549965L, 18840951448345409L},
                    "9386039263c9605ee5d53eee395abcc95760b4a2")
    );

    @Test
    void normalizationMatchesDatatrove() {
        for (Golden g : GOLDEN) {
            assertEquals(g.simplified(), MinhashNormalization.V0_2_0.apply(g.text()), g.text());
            assertEquals(g.simplifiedHead(), MinhashNormalization.HEAD.apply(g.text()), g.text());
        }
    }

    @Test
    void tokenizerMatchesNltkOnSimplifiedText() {
        var tokenizer = new NormalizedWordTokenizer();
        for (Golden g : GOLDEN) {
            assertEquals(g.tokens(), tokenizer.apply(g.simplified()), g.text());
        }
    }

    /** The general NLTK port agrees with NLTK (and so with {@link NormalizedWordTokenizer}) on simplified text. */
    @Test
    void wordTokenizerAgreesOnSimplifiedText() {
        var general = WordTokenizer.english();
        for (Golden g : GOLDEN) {
            assertEquals(g.tokens(), general.tokenize(g.simplified()), g.text());
        }
    }

    @Test
    void signaturesMatchDatatrove() throws Exception {
        var signer = new MinhashSigner(MinhashConfig.FINEWEB, new NormalizedWordTokenizer());
        for (Golden g : GOLDEN) {
            long[] sig = signer.signature(g.text());
            if (g.band0() == null) {
                assertNull(sig, g.text());
                continue;
            }
            assertArrayEquals(g.band0(), Arrays.copyOf(sig, 8), g.text());
            var packed = ByteBuffer.allocate(sig.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : sig) {
                packed.putLong(v);
            }
            String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(packed.array()));
            assertEquals(g.signatureSha1(), sha1, g.text());
        }
    }

    /*
     * The golden script (/usr/bin/python3 golden.py; numpy 1.24.2, nltk 3.8):
     *
     * # datatrove v0.2.0 MinHash stage 1 (simplify_text, get_shingles, get_signature), with numpy 1.24.2 and
     * # NLTK 3.8 from Debian 12 (python3-numpy, python3-nltk); word_tokenize(..., preserve_line=True) because
     * # Punkt's data is not installed: simplified text has no . ? ! so Punkt would not split it anyway.
     * import hashlib, re, struct, unicodedata, sys
     * import numpy as np
     * from nltk import ngrams
     * from nltk.tokenize import word_tokenize
     * PUNCTUATION = "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»" + "".join(
     *     map(chr, (x for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b))))
     * def simplify_text(text):
     *     text = text.lower()
     *     text = re.sub(r"\s+", " ", text.strip())
     *     text = text.translate(str.maketrans("", "", PUNCTUATION))
     *     text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
     *     text = re.sub(r"\d+", "0", text)
     *     return text.strip()
     * TRANS = str.maketrans(PUNCTUATION, " " * len(PUNCTUATION))
     * def simplify_head(text):  # datatrove HEAD, with re's \d (= Unicode Nd) for regex's \p{Nd}
     *     text = text.lower()
     *     text = re.sub(r"\d+([.,،٫⎖⎗⎘]{1}\d+)?", "0", text)
     *     text = text.translate(TRANS)
     *     text = re.sub(r"\s+", " ", text.strip())
     *     text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
     *     return text.strip()
     * def sha1_hash64(data):
     *     return struct.unpack("<Q", hashlib.sha1(data).digest()[:8])[0]
     * p = np.uint64((1 << 61) - 1)
     * gen = np.random.RandomState(1)
     * a = gen.randint(1, p, dtype=np.uint64, size=(1, 112))
     * b = gen.randint(0, p, dtype=np.uint64, size=(1, 112))
     * def signature(text):
     *     words = word_tokenize(simplify_text(text), preserve_line=True)
     *     sh = np.fromiter([sha1_hash64(" ".join(x).encode("utf-8")) for x in ngrams(words, 5)], dtype=np.uint64).reshape((-1, 1))
     *     if sh.size == 0:
     *         return None
     *     phv = (sh * a + b) % p
     *     return np.min(phv, axis=0).astype(np.uint64).tolist()
     * def jstr(s):
     *     out = []
     *     for ch in s:
     *         o = ord(ch)
     *         if ch == '"' or ch == '\\':
     *             out.append('\\' + ch)
     *         elif 32 <= o < 127:
     *             out.append(ch)
     *         elif o > 0xFFFF:
     *             o -= 0x10000
     *             out.append('\\u%04x\\u%04x' % (0xD800 + (o >> 10), 0xDC00 + (o & 0x3FF)))
     *         else:
     *             out.append('\\u%04x' % o)
     *     return '"' + ''.join(out) + '"'
     * texts = [
     *     "The quick brown fox jumps over the lazy dog.",
     *     "Hello, World! It's 2024-04-22 and I cannot believe we're gonna ship v0.2.0 \u2014 \"finally\".",
     *     "Caf\u00e9 d\u00e9j\u00e0 vu: na\u00efve co\u00f6peration at the \u00c5ngstr\u00f6m fa\u00e7ade, 3\u00bd times; \u2018quoted\u2019 \u00abtext\u00bb here.",
     *     "Tab\tseparated\u00a0words\u2003with\x1cstrange\x85spaces and   runs\n\nof newlines wanna go",
     *     "Only four words here",
     *     "one two three four five",
     *     "\u0130stanbul \u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3 wanna\u00a9 g\u0131mme \u00b1cannot x\u00a9gotta lemme 12,345.67 \u0663\u0664\u0665 numbers \u2018gimme\u2019 \U0001F600 emoji\u0301s \ufb01ne",
     * ]
     * for t in texts:
     *     simp = simplify_text(t)
     *     toks = word_tokenize(simp, preserve_line=True)
     *     sig = signature(t)
     *     print("TEXT", jstr(t))
     *     print("SIMPLE", jstr(simp))
     *     print("HEAD", jstr(simplify_head(t)))
     *     print("TOKENS", ", ".join(jstr(x) for x in toks))
     *     if sig is None:
     *         print("SIG none")
     *     else:
     *         print("BAND0", ", ".join(str(x) + "L" for x in sig[:8]))
     *         print("SHA1", hashlib.sha1(struct.pack("<112Q", *sig)).hexdigest())
     *
     */
}
