"""A first question whose amounts multiply and divide one way only into the unit it asks for."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graphs.planning.dimensions import dimensional_expression, dimensional_follow_up
from graphs.planning.local import DIMENSIONS_ROUTE, LocalPlanner
from graphs.planning.quantities import amounts, asked_unit
from tests.test_trained_planner import previous_result
from tools.calculator import calculate, calculator


@pytest.mark.parametrize(
    ("question", "expression", "value"),
    [
        (
            "A bread recipe needs 450 g of flour per loaf. How many grams do I need for 6 loaves?",
            "450*6",
            "2700",
        ),
        ("apples are 3.20 a kilo and I bought 2.5 kg. cost?", "3.2*2.5", "8"),
        ("We drove 312 km on 24 litres of fuel. How many km per litre is that?", "312/24", "13"),
        ("a kilo of tea is €40 and I use 5 g per pot. cost per pot?", "40*5/1000", "0.2"),
        ("Sam saves $12 a week. How many weeks will it take him to save $180?", "180/12", "15"),
        ("The van uses 9 L per 100 km. How many litres for a 250 km trip?", "9/100*250", "22.5"),
        ("A printer prints 18 pages per minute. How many pages in 25 minutes?", "18*25", "450"),
        # prices of one same thing add: each is paid for every ticket
        (
            "Concert tickets are $65 each plus a $7.50 booking fee per ticket. What do 4 tickets cost?",
            "(65+7.5)*4",
            "290",
        ),
        # "each" after a group: what follows is each one's
        ("Our team of 6 each sold 14 raffle tickets at $2 each. How much did we raise?", "6*14*2", "168"),
        ("A class has 28 students and each needs 3 notebooks. How many notebooks?", "28*3", "84"),
        # "how much did she spend?" asks the whole spent: what was bought adds up
        (
            "Lena bought 4 pencils for $1.25 each and a ruler for $2.40. How much did she spend?",
            "2.4+4*1.25",
            "7.4",
        ),
        # a total of sums of money: they add
        ("A desk costs $320 and delivery is $25. What is the total?", "320+25", "345"),
        # the one period asked over, as long as the calendar makes it in the rate's period
        ("I run 5.5 km every day. How far do I run in a week?", "5.5*7", "38.5"),
        ("A tap drips 12 ml every minute. How many ml in an hour?", "12*60", "720"),
        # payments counted by their period
        (
            "A laptop costs $900 and I pay it off in 18 equal monthly payments. How much per month?",
            "900/18",
            "50",
        ),
        # "how much flour" of "250 g of flour": grams
        ("A recipe needs 250 g of flour per loaf. How much flour for 6 loaves?", "250*6", "1500"),
        ("4 crates, 36 bottles each, shared between 9 shops. how many bottles per shop", "4*36/9", "16"),
        (
            "trip of 600 km, the car burns 5 L/100km and fuel is $2 a litre, 4 of us share it. how much each?",
            "600*5/100*2/4",
            "15",
        ),
        (
            "The hall is 12 m by 8 m and carpet costs $15 per square metre. What does the carpet cost?",
            "12*8*15",
            "1440",
        ),
        ("I have $1,250 and save $85 a month. How much will I have after 9 months?", "1250+85*9", "2015"),
        (
            "The tank holds 300 L and loses 12 L a day. How many litres are left after 5 days?",
            "300-12*5",
            "240",
        ),
        ("I earn $20 an hour and work 38 hours a week. How much do I earn?", "20*38", "760"),
        ("A box of tiles covers 2.2 m². How many boxes do I need for 23 m²?", "ceil(23/2.2)", "11"),
        ("Tickets are $7 per person and I have $50. How many people can I take?", "floor(50/7)", "7"),
        ("If I drive at 80 km/h, how many minutes will it take me to do 60 km?", "60*60/80", "45"),
        (
            "The electrician charges $80 an hour and worked 1 hour 45 minutes. What's the cost?",
            "80*(1*60+45)/60",
            "140",
        ),
        ("One tin of paint covers 8 m². How many tins do I need for 36 m²?", "ceil(36/8)", "5"),
        (
            "The bus covers 150 km in 2 hours 30 minutes. What's its average speed in km/h?",
            "150*60/(2*60+30)",
            "60",
        ),
        (
            "I had 2 kg of sugar and used 150 g per cake for 6 cakes. How much is left, in grams?",
            "2*1000-150*6",
            "1100",
        ),
        ("A jacket is $80 with 35% off. What is the sale price?", "80*(1-35/100)", "52"),
        (
            "My salary is $52,000 a year, I get a 4% raise and I'm paid in 26 equal paychecks. How much is each?",
            "52000*(1+4/100)/26",
            "2080",
        ),
        ("Convert 5 feet 9 inches to centimetres (1 inch = 2.54 cm).", "(5*12+9)*127/50", "175.26"),
        ("how long to roast a 3 kg joint at 35 min per kg plus an extra 25 min?", "25+3*35", "130"),
        ("I have $50 and spend $12.50. How much is left?", "50-12.5", "37.5"),
        ("Tickets are $12 each. How much do 5 tickets cost?", "12*5", "60"),
        ("I have 3 boxes of 12 pens and give away 10 pens. How many pens are left?", "3*12-10", "26"),
        ("The rope is 12 m long. I cut it into pieces of 80 cm. How many pieces?", "12*100/80", "15"),
        ("I walk 4 km in 50 minutes. How long to walk 10 km?", "10/(4/50)", "125"),
        ("A coach covers 186 km in 3 hours. What is its average speed in km/h?", "186/3", "62"),
        (
            "My plant is 12 cm tall and grows 2.5 cm a week. How tall will it be after 8 weeks?",
            "12+2.5*8",
            "32",
        ),
        (
            "I have a fence of 20 m and add 3 sections of 2.5 m. How long is the fence now?",
            "20+3*2.5",
            "27.5",
        ),
        ("If 3 apples cost $2, how much do 12 apples cost?", "2*12/3", "8"),
        ("A car goes 300 km on 20 litres. How far on 35 litres?", "300*35/20", "525"),
        ("I eat 250 g of rice a day and have a 5 kg bag. How many days will it last?", "5*1000/250", "20"),
        # the part a percentage is, asked by name (it was the sale price, 60*(1-15/100))
        ("A $48 coat is 25% off this week. How many dollars is the discount?", "48*25/100", "12"),
        ("Our meal came to $72 and we tip 15%. How much is the tip?", "72*15/100", "10.8"),
        # a unit joined to its number ("a 150-mile drive"); a monthly price over the first year
        (
            "My van does 30 miles per gallon and diesel is $4.20 a gallon. What does a 150-mile drive cost?",
            "4.2*150/30",
            "21",
        ),
        (
            "A streaming plan is $12 a month plus a $20 sign-up fee. Total for the first year?",
            "20+12*12",
            "164",
        ),
        # what a pack holds, named before it; each of a group, told by a phrase ("each tray of the oven")
        (
            "A class of 30 pupils each needs 4 exercise books. Exercise books come in packs of 10. How many packs?",
            "30*4/10",
            "12",
        ),
        (
            "Each coat of varnish on the old door takes 0.4 litres and I want 3 coats. Varnish is $15 per litre."
            " How much for the varnish?",
            "0.4*3*15",
            "18",
        ),
        # "of the hall and each tile": "and" ends what an amount is of; laps and lengths of a track or a pool
        (
            "I'm tiling 14 m² of the hall and each pack of tiles covers 1.5 m². How many packs must I buy?",
            "ceil(14/1.5)",
            "10",
        ),
        (
            "He jogged 6 laps of a 400 m track and then 1.5 km home. How many km in total?",
            "1.5+6*400/1000",
            "3.9",
        ),
        ("I swam 40 lengths of a 25 m pool. How many metres did I swim?", "40*25", "1000"),
        # each kind's price times its count, added ("for adults" where adults are counted)
        (
            "The zoo charges $16 for adults and $9.50 for children. What will 2 adults and 3 children pay?",
            "16*2+9.5*3",
            "60.5",
        ),
        (
            "Lunch is $6 per pupil and $8.50 per teacher, plus a $15 delivery charge. 25 pupils and 2 teachers are"
            " coming. What's the total?",
            "6*25+8.5*2+15",
            "182",
        ),
        ("We paid $35 for dinner and $6 for parking. How much altogether?", "35+6", "41"),
        # a litre is a thousand millilitres (it was a thousand million: a volume's size was cubed)
        ("Milk is $1.60 per litre. How much for 2500 ml?", "1.6*2500/1000", "4"),
        # per a hundred of a unit, asked
        ("A 400 g jar of coffee costs $10. What is the price per 100 g?", "10*100/400", "2.5"),
        # from a start to a goal at a rate
        (
            "I've saved $150 towards a $600 phone and put away $45 a week. How many weeks until I can buy it?",
            "(600-150)/45",
            "10",
        ),
        # a sum shared by the people counted
        (
            "Four of us booked a villa at $220 a night for 5 nights, plus a $100 cleaning fee. How much does each"
            " person pay?",
            "(100+220*5)/4",
            "300",
        ),
        # a fraction off a price
        (
            "Trainers cost $75 and the shop has a third off everything. What do I pay for them?",
            "75*(1-1/3)",
            "50",
        ),
        ("The $36 board game is half price in the sale. How much is it?", "36*(1-1/2)", "18"),
        # a share of two
        (
            "The fair made $900. 20% goes to the church and the rest to the school. How much goes to the school?",
            "900*(1-20/100)",
            "720",
        ),
        # a saving per thing: the rate given less the rate the other amounts make
        (
            "A box of 12 pens costs $7.80, or you can buy them singly at 75 cents each. How much do I save per pen "
            "by buying the box?",
            "75/100-7.8/12",
            "0.1",
        ),
        # a salary is a year's pay; a monthly pay is asked per month
        (
            "Last year my salary was $52,000 and I just got a 3.5% raise. What's my new monthly pay before tax?",
            "52000*(1+3.5/100)/12",
            "4485",
        ),
        ("My salary is $48,000. How much is that a month?", "48000/12", "4000"),
        # a list of one measure, its unit written once, adds up
        (
            "I worked 7.5 hours on Monday, 8 on Tuesday and 6.25 on Wednesday at $18 an hour. what did I earn?",
            "(7.5+8+6.25)*18",
            "391.5",
        ),
        # a unit asked "in minutes per km" is per km once
        (
            "A 5 km parkrun took me 27 minutes 30 seconds. What was my average pace in minutes per km?",
            "(27*60+30)/5/60",
            "5.5",
        ),
        ("I drove 180 miles on 6 gallons of gas. What's my mileage in miles per gallon?", "180/6", "30"),
        # a single thing asked about that nothing counts; a modifier before a measure; "a wall that is"
        (
            "I'm painting a wall that is 4 m wide and 2.5 m tall. One litre of paint covers 10 square metres. "
            "How many litres do I need for one coat?",
            "4*2.5/10",
            "1",
        ),
        (
            "We have two dogs and each eats 2 cups of kibble a day. A bag holds 60 cups. "
            "How many days will one bag last?",
            "60/2/2",
            "15",
        ),
        (
            "Keisha saves $45 every week and already has $210. How much will she have after 12 more weeks?",
            "210+45*12",
            "750",
        ),
        # how often an amount recurs: a rate of it
        (
            "My dog eats 250 g of kibble twice a day. How many days will a 15 kg bag last?",
            "15*1000/(250*2)",
            "30",
        ),
        ("I take 2 tablets 3 times a day. How many tablets in a week?", "(2*3)*7", "42"),
        # a worded fraction of one unit is an amount
        ("Half a kilo of cheese costs $7.80. What's the price per 100 g?", "7.8/0.5/10", "1.56"),
        ("A quarter of an hour is how many seconds?", "0.25*3600", "900"),
        # a measure listed again with its unit adds up; "those three days" are the days stated
        (
            "I worked 7.5 hours Monday, 8 hours Tuesday and 6.25 hours Wednesday. I get paid $18.40 an hour. How"
            " much did I earn for those three days?",
            "(7.5+8+6.25)*18.4",
            "400.2",
        ),
        (
            "Lena earns $15 an hour. She worked 6 hours on Monday and 9 hours on Tuesday. Pay?",
            "15*(6+9)",
            "225",
        ),
        ("I walked 5 km on Monday and 3 km on Tuesday. How far did I walk in total?", "5+3", "8"),
        (
            "I walked 8,400 steps yesterday and 11,250 today. How many is that altogether?",
            "8400+11250",
            "19650",
        ),
        # sums of money shared add up; "each one" is each; roommates are people
        (
            "Four friends are splitting a $135 cabin rental and $48 worth of groceries evenly. How much does each"
            " person owe?",
            "(135+48)/4",
            "45.75",
        ),
        (
            "Three roommates are splitting a $200 internet installation fee and a $50 router equally. How much"
            " does each one pay?",
            "(200+50)/3",
            "83.3333333333333",
        ),
        ("Three friends split a restaurant bill of $84 evenly. How much does each one pay?", "84/3", "28"),
        # what each adds is each one's own, not shared
        (
            "Three friends share a $96 restaurant bill equally and each adds a $4 tip. How much does each pay?",
            "96/3+4",
            "36",
        ),
        # "one ball has 120 m": per ball; "each scarf I knit": per scarf (scarves)
        (
            "Each scarf I knit takes 180 m of yarn and one ball of yarn has 120 m. How many balls do I need for 4"
            " scarves?",
            "180*4/120",
            "6",
        ),
        # "glasses of 250 ml each" is per glass once
        (
            "I had a 2 litre bottle of juice and poured five glasses of 250 ml each. How many ml are left?",
            "2*1000-5*250",
            "750",
        ),
        # a bill states money without its sign
        (
            "dinner bill came to 64.50 and we want to tip 18%. whats the total with tip?",
            "64.5*(1+18/100)",
            "76.11",
        ),
        ("the bill is 120 for 4 people. how much each?", "120/4", "30"),
        # "everyone gets 2 slices": per guest; "each pizza is cut into 8 slices": per pizza
        (
            "Planning a party for 48 guests. Everyone gets 2 slices of pizza, each pizza is cut into 8 slices, and a"
            " pizza costs $12.50. What will the pizza cost in total?",
            "48*2*12.5/8",
            "150",
        ),
        # several sums taken from the first
        (
            "My savings account has $3,200. If I take out $450 for rent and $180 for groceries, how much is left?",
            "3200-450-180",
            "2570",
        ),
        (
            "Mike had $50. He bought a book for $12.99 and a snack for $3.45. How much money is left?",
            "50-12.99-3.45",
            "33.56",
        ),
        # coats of paint: everything twice
        (
            "the wall measures 4.2 m wide by 2.5 m high, one litre of paint covers 10 square metres, and two coats"
            " are needed. How many litres are required?",
            "4.2*2.5*2/10",
            "2.1",
        ),
        (
            "A wall is 4 m wide and 2.5 m tall. One litre covers 10 square metres. How many litres for one coat?",
            "4*2.5/10",
            "1",
        ),
        # a count listed on with its label after "and"
        (
            "A bakery sells muffins at $2.50 each. On Saturday it sold 84 muffins and on Sunday 66. How much money"
            " did it make?",
            "2.5*(84+66)",
            "375",
        ),
        # "how many good cans": cans; "30 cans were damaged": taken away
        (
            "A crate holds 6 boxes and each box holds 24 cans. We got 5 crates, but 30 cans were damaged. How many"
            " good cans do we have?",
            "6*24*5-30",
            "690",
        ),
        # the rest of a whole with part of it done
        (
            "My phone contract is 24 months at $35 a month and I've already paid 8 months. How much do I still"
            " have to pay?",
            "(24-8)*35",
            "560",
        ),
        # cups measure: 1.875 of them is an answer, not a count to round
        (
            "My recipe serves 4 people and uses three-quarters of a cup of sugar. How many cups of sugar for 10"
            " people?",
            "0.75*10/4",
            "1.875",
        ),
    ],
)
def test_the_one_combination_in_the_asked_unit(question: str, expression: str, value: str) -> None:
    found = dimensional_expression(question)
    assert found == expression
    assert calculate(found) == value


@pytest.mark.parametrize(
    "question",
    [
        "A pack of 6 yogurts costs $4.20. How much does one yogurt cost?",  # "one" says per what
        "I have $500, earn $20 an hour and spend $5 an hour. How much after 6 hours?",  # adds and takes
        "How much is the tip on a $64 meal at 15%?",  # the part itself is asked
        "I earn $3,200 a month and put 12% of it into savings. How much is that a year?",  # a part, "of it"
        "The film starts at 7:45 and runs 2 hours. When does it end?",  # a clock time
        "A pizza has 12 slices. I ate a quarter of it and my friend ate 4. How many slices are left?",  # words
        "A 1200 L tank has 240 L in it. How many more litres to fill it?",  # a difference asked
        "I bought 3 shirts at $22 and 2 caps at $9. Total?",  # a sum of products: two values
        "There are 4 boxes with 24 eggs each and 7 of them broke. How many eggs are left?",  # a difference
        "What is 12 times 7?",  # no unit at all
        "It takes 3 workers 6 hours to build a wall. How long would 2 workers take?",  # inverse, maybe
        "8 pipes fill a pool in 6 hours. How many pipes would fill it in 4 hours?",  # inverse
        "I rode 30 km out at 20 km/h and back at 30 km/h. Average speed in km/h?",  # not a product
        "A crate holds 2.2 m³. How many crates are there in 23 m³?",  # not whole, and not said how to round
        "The room is 4 m wide. How many tiles do I need?",  # no value has tiles
        "I earn $15 an hour. How much do I make in a day?",  # a day's work is not 24 hours
        "I walked 5 km on Monday and 3 on Tuesday. How much further did I walk on Monday?",  # compared
        "I eat twice as much rice as my sister, who eats 200 g a day. How much do I eat in a week?",  # a ratio
        "I walked 5 km on Monday and 3 km on Tuesday. How far did I walk on Monday?",  # one of them
        "I have 3 kids and 2 of them need shoes at $40 a pair. How much?",  # "2 of them" is no more kids
        "I had $20 and spent $15 on lunch and $9 on a cab. How much is left?",  # more taken than there was
        # hours of another kind do not add: the overtime reading's
        "I worked 40 regular hours and 6 overtime hours at $20 an hour. Pay?",
    ],
)
def test_anything_else_stands(question: str) -> None:
    assert dimensional_expression(question) is None


def test_a_word_between_a_unit_and_a_plural_is_no_part_of_a_name() -> None:
    found = amounts("Bananas are $0.59/lb and apples are $1.25/lb.")
    assert found is not None
    assert [dict(amount.unit.powers) for amount in found] == [{"money": 1, "lb": -1}] * 2
    six_pack = amounts("A 6-pack of yogurts costs $4.50.")
    assert six_pack is not None and dict(six_pack[0].unit.powers) == {"yogurt": 1}


def test_amounts_carry_their_rates() -> None:
    read = amounts("The car does 8 L/100km, fuel is €1.85 a litre and 3 of us share.")
    assert read is not None
    assert [(amount.written, amount.per) for amount in read] == [("8", 100), ("1.85", 1), ("3", 1)]
    assert [amount.unit.powers for amount in read] == [
        (("length", 2),),
        (("length", -3), ("money", 1)),
        (("person", 1),),
    ]
    assert asked_unit("How much does each of us pay?") is not None


class NoModel:
    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the model was asked for {name}")


def planner() -> LocalPlanner:
    return LocalPlanner(NoModel(), [calculator])  # type: ignore[arg-type]


def test_the_planner_calls_the_calculator_without_a_model() -> None:
    step = planner().plan(
        [HumanMessage("Tea is 40 euros a kilo and I use 5 g per pot. What is the cost per pot?")]
    )
    assert (step.route, step.tool_name, step.tool_args) == (
        DIMENSIONS_ROUTE,
        "calculator",
        {"expression": "40*5/1000"},
    )


def test_a_follow_up_is_left_to_the_follow_up_rules() -> None:
    earlier = [
        HumanMessage("What is 6 times 7?"),
        AIMessage("", tool_calls=[{"name": "calculator", "args": {"expression": "6*7"}, "id": "c1"}]),
        ToolMessage("42", tool_call_id="c1"),
        AIMessage("6 × 7 = 42."),
    ]
    question = HumanMessage("Apples are 2 dollars a kilo and I buy 3 kg. What does that cost?")
    step = planner().exact_calculation([*earlier, question], question.text)
    assert step is None or step.route != DIMENSIONS_ROUTE


@pytest.mark.parametrize(
    ("first", "expression", "follow_up", "written", "value"),
    [
        (
            "My van does 40 miles per gallon. How many gallons for 300 miles?",
            "300/40",
            "fuel is $4 a gallon, what does the trip cost?",
            "7.5*4",
            "30",
        ),
        ("how much is 2 kg of cheese at $15/kg", "2*15", "and 500 g of ham at $24/kg?", "500*24/1000", "12"),
        (  # part of the previous result left out
            "We're fencing a rectangular garden that's 12 m by 7.5 m. How many metres of fencing go all the way round?",
            "2*(12+7.5)",
            "Fencing is €18.40 per metre and we'll leave a 3 m gap for the gate. What's the cost?",
            "(39-3)*18.4",
            "662.4",
        ),
        (  # the rest of the whole the previous question gave
            "The car's tank holds 60 litres and the gauge says three quarters full. How many litres are in it?",
            "60*3/4",
            "How much would it cost to fill it the rest of the way at 1.85 a litre?",
            "(60-45)*1.85",
            "27.75",
        ),
        (  # "the remaining 385 km" is an amount of its own, not the rest of a speed
            "We drove 275 km in 2.5 hours. What was our average speed in km/h?",
            "275/2.5",
            "at that speed how many hours will the remaining 385 km take",
            "385/110",
            "3.5",
        ),
        (  # a weekly pay asked before is per week
            "I earn $22 an hour and work 37.5 hours a week. What's my weekly pay?",
            "22*37.5",
            "And how much is that over 52 weeks?",
            "825*52",
            "42900",
        ),
        (
            "A recipe needs 3 cups of flour per batch. How many cups for 4 batches?",
            "3*4",
            "if a cup of flour is 120 g, how many grams is that?",
            "12*120",
            "1440",
        ),
        (  # "how long" asked before: in the smallest unit of time that question used
            "how long do i cook a 5.5 kg turkey if it's 40 min per kg plus an extra 20 min",
            "20+5.5*40",
            "how many hours is that",
            "240/60",
            "4",
        ),
        (
            "I walk 3.5 km a day. How far do I walk in a week?",
            "3.5*7",
            "how many metres is that?",
            "24.5*1000",
            "24500",
        ),
        (  # "per hour" of a weekly pay; "at that price each" is the price's each
            "I get $1,300 every two weeks. How much is that a week?",
            "1300/2",
            "If I work 40 hours a week, what's that per hour?",
            "650/40",
            "16.25",
        ),
        (
            "A box of 8 pens costs $12. How much is that per pen?",
            "12/8",
            "what would 20 pens cost at that price each?",
            "1.5*20",
            "30",
        ),
        (  # "how far" asked before: in the km the question used (it was 225*0/75)
            "A train runs at 120 km/h. How far does it go in 1.5 hours?",
            "120*1.5",
            "How many hours would that same distance take at 80 km/h?",
            "180/80",
            "2.25",
        ),
        (  # what is left of a whole the follow-up names, in the unit asked
            "A bread recipe uses 250 g of flour for 4 people. How much flour for 10 people?",
            "250*10/4",
            "I only have a 1 kg bag. How many grams will be left after that?",
            "1*1000-625",
            "375",
        ),
        (
            "A jar holds 3 litres. How many litres in 4 jars?",
            "3*4",
            "how many are left if I pour out 5 litres?",
            "12-5",
            "7",
        ),
        (  # a goal reached from the previous result at a rate
            "My savings account has $3,200. If I take out $450 for rent and $180 for groceries, how much is left?",
            "3200-450-180",
            "How many weeks would it take to get back up to $3,200 if I save $90 a week?",
            "(3200-2570)/90",
            "7",
        ),
        (  # the goal reached at the rate the previous question gave
            "My plant is 12 cm tall and grows 2.5 cm a week. How tall will it be after 8 weeks?",
            "12+2.5*8",
            "how many more weeks after that until it hits 50 cm?",
            "(50-32)/2.5",
            "7.2",
        ),
        (  # a stride is the length of one step of the result
            "If I walk 6,000 steps a day, how many steps is that in a week?",
            "6000*7",
            "My stride is about 0.75 m. How many km is that?",
            "42000*0.75/1000",
            "31.5",
        ),
        (  # the user's factor, not the exact 1.609344 km
            "How far do I go in 3 hours at 72 km/h?",
            "72*3",
            "how many miles is that? use 1 mile = 1.6 km",
            "216/1.6",
            "135",
        ),
        (
            "A plank is 40 inches long. How long is it in inches?",
            "40",
            "and in cm, if 1 inch is 2.5 cm?",
            "40*2.5",
            "100",
        ),
    ],
)
def test_a_follow_up_reads_the_previous_result_in_the_unit_it_was_asked(
    first: str, expression: str, follow_up: str, written: str, value: str
) -> None:
    from tests.test_substitution import conversation

    found = dimensional_follow_up(conversation(first, expression, follow_up))
    assert found == written
    assert calculate(found) == value


@pytest.mark.parametrize(
    ("first", "expression", "follow_up"),
    [
        ("What is 6 times 7?", "6*7", "and for 3 people?"),  # the previous question names no unit
        ("A ticket is $12. How much for 3 tickets?", "12*3", "what if it were 5 instead?"),  # no unit
        (
            "How much is 2 kg of cheese at $15/kg",
            "2*15",
            "bags are $3 each, what's the cost?",
        ),  # each of what
        ("What is 12 times 12?", "12*12", "how many hours is that?"),  # no unit before
        ("I save $40 a week. How much after 10 weeks?", "40*10", "how many euros is that?"),  # no rate known
        ("A film runs 150 minutes. How many minutes for 2 showings?", "150*2", "how many minutes is that?"),
        # a whole smaller than what was used leaves nothing
        ("How much flour for 10 loaves at 450 g each?", "450*10", "I have a 2 kg bag, how much is left?"),
        # a factor of nothing converts nothing
        ("How far do I go in 3 hours at 72 km/h?", "72*3", "how many miles is that? use 1 mile = 0 km"),
        # a factor between units of two kinds is no conversion of the result
        ("How far do I go in 3 hours at 72 km/h?", "72*3", "use 1 litre = 2 kg, how many miles is that?"),
    ],
)
def test_other_follow_ups_are_left_alone(first: str, expression: str, follow_up: str) -> None:
    from tests.test_substitution import conversation

    assert dimensional_follow_up(conversation(first, expression, follow_up)) is None


def test_a_rounded_count_is_said_in_words() -> None:
    from graphs.planning.rules import calculator_answer

    assert calculator_answer("ceil(23/2.2)", "11") == "23 ÷ 2.2 rounded up is 11."
    assert calculator_answer("floor(50/7)", "7") == "50 ÷ 7 rounded down is 7."


def test_a_unit_asked_turns_before_is_the_unit_of_the_result_the_follow_ups_carried_on() -> None:
    messages = [
        *answered("A movie is 2 hours 15 minutes long. How many minutes is that?", "2*60+15", "135", "c1"),
        *answered("and if I watch it 4 times?", "135*4", "540", "c2"),
        HumanMessage("in hours?"),
    ]
    assert dimensional_follow_up(messages) == "540/60"
    recomputed = [*messages[:4], *answered("and what is 7 times 8?", "7*8", "56", "c2"), messages[-1]]
    assert dimensional_follow_up(recomputed) is None  # 56 is no number of minutes


def answered(question: str, expression: str, result: str, call_id: str) -> list[BaseMessage]:
    call = {"name": "calculator", "args": {"expression": expression}, "id": call_id, "type": "tool_call"}
    return [
        HumanMessage(question),
        AIMessage("", tool_calls=[call]),
        ToolMessage(result, tool_call_id=call_id, name="calculator"),
        AIMessage(f"{expression} = {result}."),
    ]


def test_s_after_a_number_or_a_slash_is_seconds() -> None:
    speed = asked_unit("convert 72 km/h to m/s")
    assert speed is not None and sorted(speed.sizes) == [("length", 1, 1), ("time", -1, 1)]
    found = amounts("it goes 5 m/s. how far in 10 s?")
    assert found is not None and [(a.written, a.unit.sizes) for a in found] == [
        ("5", (("length", 1, 1), ("time", -1, 1))),
        ("10", (("time", 1, 1),)),
    ]
    assert asked_unit("what's the dog's name?") is None  # "'s" is no second


def test_a_measured_result_is_converted_when_asked_in_another_unit() -> None:
    messages = previous_result(
        "A recipe needs 250 g of flour per loaf. How much flour for 6 loaves?",
        "250*6",
        "how many kilograms is that?",
    )
    found = dimensional_follow_up(messages)
    assert found == "1500/1000" and calculate(found) == "1.5"
