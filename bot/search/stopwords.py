"""Stop words for the five supported languages, accent-folded and lower-case.

Besides function words they hold the question and chat filler that carries no topic
("what", "tell me", "cos'è", "erklär mir", "c'est quoi", "kaj je"), so that a full question and
its keyword form land on the same tokens. Queries may mix languages, so the engine drops the
union of all lists; a word that is a topic in one language and filler in another (e.g. "die")
is only listed when that loses nothing in this domain.
"""

_EN = """
a about above after again against all also am an and any are aren as at be because been before
being below between both but by can cannot could did do does doing don down during each else
ever few for from further get gets getting give had has have having he her here hers herself him
himself his how i if in into is isn it its itself just let lets like me mean means meaning more
most much must my myself need needs no nor not now of off on once one only or other our ours
ourselves out over own please same she should so some such tell than thanks thank that thats the
their theirs them themselves then there these they this those through to too under until up
us very via vs want was we were what whats when where which while who whom whose why will with
would you your yours yourself yourselves explain explained know wondering anyone someone
something anything thing things hi hello hey pls plz ok okay go goes going make makes made
really actually wanna wish wished wishing
simple simply plain words word nutshell briefly quick quickly basically exactly
"""

_IT = """
a ad agli ai al alla alle allo anche avere c ce che chi ci cio come con cosa cos cose cosi cui
da dagli dai dal dalla dalle dallo degli dei del della delle dello di dove e ed fa fare gli ha
hanno ho i il in io la le lei li lo loro lui ma me mi mio nei nel nella nelle nello no noi non
nostro o per perche piu po puo qual quale quali quando quanto quello questa queste questi questo
se si sia sono su sua sue sui sul sulla suo ti tra tu tutti tutto un una uno vi voi vorrei
spiegami dimmi sapere significa significato ciao grazie essere e stato sta stanno devo posso
serve servono nostra vostra vostro va fa sta stai
voglio vogliamo vorremmo potrei potremmo dovrei dovremmo
semplice semplici semplicemente parole parola breve brevemente esattamente
"""

_DE = """
aber alle allem allen aller alles als also am an auch auf aus bei beim bin bis bist da damit dann
das dass dem den denn der des die dies diese diesem diesen dieser dieses du durch ein eine einem
einen einer eines er es etwas fur gibt hab habe haben hat hatte ich ihr im in ins ist ja jede
jeder kann kannst konnen mein meine mich mir mit muss mussen nach nicht noch nur ob oder ohne
sein seine sich sie sind so soll sollte uber um und uns unser unter vom von vor war was warum
weil welche welcher welches wenn wer werden wie wieso wir wird wo zu zum zur erklar erklare
erklaren bitte hallo danke bedeutet bedeutung heisst gut mal eigentlich geht gehts gehen
macht machen lauft laeuft ab
mochte mochten mochtest will willst wollen wollte wollten wurde wurden wurdest
einfach einfachen einfache worten wort kurz kurze genau
"""

_FR = """
a au aux avec ce ceci cela ces cet cette comment dans de des du elle elles en est et etre il ils
je la le les leur leurs lui ma mais me mes moi mon ne ni nos notre nous on ou par pas pour qu que
quel quelle quelles quels qui quoi sa sans se ses si son sont sur ta te tes toi ton tu un une vos
votre vous y c d j l m n s t explique expliquez expliquer bonjour merci signifie veut dire faut
peut peux puis fait faire va vais aller salut ca
veux voulons voulez voudrais voudrait voudrions voudriez souhaite souhaitons souhaiterais
aimerais aimerions pourrais pourrait pourrions dois doit devons
simple simples simplement mots mot bref brievement exactement
"""

_SL = """
a ali bi bil bila bilo biti da do je jih jo kaj kako kam kateri katera katere kdaj kdo ker ki
ko kot mi na ne nas ni o od pa po pri s sem si so ta tako te ti to tudi v vi z za ze in iz
ima imajo lahko mora moram prosim pojasni razlozi pomeni pomen zdravo hvala mene meni nam
njihov njegov njen ste smo sta gre zivjo
zelim zelimo zelel zelela rad rada radi hocem hocemo moremo moramo
preprosto enostavno besedah besede beseda kratko natancno
"""

STOP_WORDS: frozenset[str] = frozenset(
    word for block in (_EN, _IT, _DE, _FR, _SL) for word in block.split()
)
